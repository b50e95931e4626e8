"""Forms of the board: a comment, and signing up."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm


class CommentForm(forms.Form):
    body = forms.CharField(
        label="댓글",
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "댓글을 입력하세요"}),
        error_messages={"required": "댓글 내용을 입력하세요."},
    )


class SignupForm(UserCreationForm):
    """Django's sign-up form (its labels and messages are translated to Korean already)."""
