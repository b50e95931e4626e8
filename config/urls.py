"""URL routes of the whole site."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from board import views as board_views
from ops.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The admin's own sign-in page, throttled (see board.throttle); admin:login names the same URL.
    path("admin/login/", board_views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        board_views.LoginView.as_view(next_page="board:list", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="board:list"), name="logout"),
    path("accounts/signup/", board_views.signup, name="signup"),
    path("", include("board.urls")),
]
