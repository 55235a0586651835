"""Login, logout and password reset: Django's auth views with Japanese templates and queued mail."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from madoguchi.platform.accounts import LoginForm, QueuedPasswordResetForm

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Our own template names: django.contrib.admin ships registration/password_reset_*.html,
    # which would otherwise win the template lookup.
    path("password-reset/", auth_views.PasswordResetView.as_view(
        form_class=QueuedPasswordResetForm, success_url=reverse_lazy("password_reset_done"),
        template_name="accounts/password_reset_form.html", email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt"), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        success_url=reverse_lazy("password_reset_complete"), template_name="accounts/password_reset_confirm.html"),
        name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password_reset_complete"),
]
