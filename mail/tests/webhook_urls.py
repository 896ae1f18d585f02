"""The site's URLs with the Mailgun inbound webhook routed, as MAIL_INBOUND_WEBHOOKS=mailgun
does in production."""

from careerperfect.urls import urlpatterns as site_urlpatterns
from mail.urls import inbound_webhook_urlpatterns

urlpatterns = [*site_urlpatterns, *inbound_webhook_urlpatterns(["mailgun"])]
