from django.urls import path

from orders import views

app_name = "orders"
urlpatterns = [
    path("shop/", views.product_list, name="products"),
    path("shop/<slug:slug>/", views.product_detail, name="product"),
    path("cart/", views.cart_view, name="cart"),
    path("cart/add/<slug:slug>/", views.cart_add_view, name="cart_add"),
    path("cart/remove/<int:product_id>/", views.cart_remove_view, name="cart_remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.order_list, name="list"),
    path("orders/<uuid:public_id>/", views.order_detail, name="detail"),
    path("orders/<uuid:public_id>/pay/", views.order_pay, name="pay"),
    path("orders/<uuid:public_id>/cancel/", views.order_cancel_view, name="cancel"),
    path("orders/<uuid:public_id>/download/<int:line_id>/", views.order_download, name="download"),
    path("orders/find/", views.order_find, name="find"),
    path("orders/find/sent/", views.order_links_sent, name="links_sent"),
    path("orders/link/<str:token>/", views.order_link, name="link"),
    path("orders/link/<str:token>/renew/", views.order_link_renew, name="link_renew"),
    path("orders/link/<str:token>/pay/", views.order_pay, name="link_pay"),
    path("orders/link/<str:token>/cancel/", views.order_cancel_view, name="link_cancel"),
    path(
        "orders/link/<str:token>/download/<int:line_id>/",
        views.order_link_download,
        name="link_download",
    ),
    path("pay/sandbox/<str:token>/", views.sandbox_pay, name="sandbox_pay"),
    path("payments/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
