"""The site's URLs with the Mailgun and Postmark inbound webhooks routed, as
MAIL_INBOUND_WEBHOOKS=mailgun,postmark does in production."""

from careerperfect.urls import urlpatterns as site_urlpatterns
from mail.urls import inbound_webhook_urlpatterns

urlpatterns = [*site_urlpatterns, *inbound_webhook_urlpatterns(["mailgun", "postmark"])]
