"""Forms of the board: a comment, signing up, and the throttled sign-in forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError

from board import throttle


class CommentForm(forms.Form):
    body = forms.CharField(
        label="댓글",
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "댓글을 입력하세요"}),
        error_messages={"required": "댓글 내용을 입력하세요."},
    )


class SignupForm(UserCreationForm):
    """Django's sign-up form (its labels and messages are translated to Korean already); the
    password must pass ``AUTH_PASSWORD_VALIDATORS``."""


class ThrottledLoginMixin:
    """Refuse a sign-in before checking the password while :mod:`board.throttle` says locked;
    count a failed authentication (a right password refused for another reason, such as a
    non-staff account at the admin, is not counted); clear the username's failures on success.

    ``throttled`` tells the view to answer 429.
    """

    throttled = False
    request: Any
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # type: ignore[misc,no-any-return]
        if throttle.is_locked(self.request, username):
            self.throttled = True
            raise ValidationError(throttle.MESSAGE, code="throttled")
        try:
            cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        except ValidationError:
            if getattr(self, "user_cache", None) is None:  # the password was wrong
                throttle.record_failure(self.request, username)
            raise
        throttle.clear_failures(username)
        return cleaned


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    """The sign-in form of ``/accounts/login/``."""


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The sign-in form of ``/admin/login/`` (``admin.site.login_form``)."""
