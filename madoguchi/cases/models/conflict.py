"""The error two staff acting on the same referral at once meet: its own module, so the case
(which closes referrals) and the referral (which raises it) both import it downward."""

from __future__ import annotations

from django.utils.translation import gettext as _


class Conflict(Exception):
    """Someone else changed the referral since the user loaded it."""

    def __init__(self) -> None:
        super().__init__(str(_("この紹介は他の担当者が先に更新しました。画面を再読み込みしてください。")))
