from django.urls import path

from shop.institutions import views

app_name = "institutions"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("all/", views.overview, name="overview"),
    path("all/new/", views.edit, name="create"),
    path("all/<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/statements/<str:month>/", views.statement_page, name="statement"),
    path("<int:pk>/statements/<str:month>/paid/", views.statement_paid, name="statement-paid"),
    path(
        "<int:pk>/statements/<str:month>/statement.<str:kind>",
        views.statement_file,
        name="statement-file",
    ),
]
