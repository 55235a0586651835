from django.urls import path

from madoguchi.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.intake, name="intake"),
    path("new/received/", views.received, name="received"),
    path("inbox/", views.inbox, name="inbox"),
    path("follow/<str:token>/", views.follow, name="follow"),
    path("<uuid:code>/", views.case_detail, name="case"),
    path("<uuid:code>/note/", views.add_note, name="note"),
    path("<uuid:code>/refer/", views.refer, name="refer"),
    path("<uuid:code>/referrals/<uuid:referral_uuid>/<slug:action>/", views.referral_action, name="referral_action"),
    path("<uuid:code>/close/", views.close_case, name="close"),
    path("<uuid:code>/documents/", views.upload_document, name="upload"),
    path("<uuid:code>/documents/<uuid:activity_uuid>/", views.document, name="document"),
    path("<uuid:code>/consent/withdraw/", views.withdraw_consent, name="withdraw_consent"),
    path("<uuid:code>/export.json", views.export, name="export"),
]
