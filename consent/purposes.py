"""What a person can consent to, and where a consent event can come from."""

from django.db import models


class Purpose(models.TextChoices):
    MARKETING = "marketing", "Offers of products and services"
    SITE_UPDATES = "site_updates", "News about changes to the site and this policy"
    RESUME_DISCLOSURE = "resume_disclosure", "Sharing my resume with recipients I name"
    COOKIES_PREFERENCES = "cookies_preferences", "Cookies that remember my preferences"


# The elections a person makes at signup and checkout, and that "remove" withdraws.
COMMUNICATION_PURPOSES = (Purpose.MARKETING, Purpose.SITE_UPDATES)

# Plain-language text shown next to each election's checkbox.
ELECTION_TEXT = {
    Purpose.MARKETING: (
        "E-mail me now and then about CareerPerfect products and services that may interest me."
    ),
    Purpose.SITE_UPDATES: (
        "E-mail me when the site or this privacy policy changes in a way that affects me."
    ),
    Purpose.RESUME_DISCLOSURE: (
        "Allow CareerPerfect to send my resume to recipients I name, one by one. "
        "Nothing is ever sent to anyone I have not named."
    ),
}


class Source(models.TextChoices):
    SIGNUP = "signup", "Signup form"
    CHECKOUT = "checkout", "Checkout form"
    PREFERENCES = "preferences", "My privacy page"
    EMAIL = "e-mail", "E-mail with “remove” in the subject"
    ONE_CLICK = "one-click", "One-click unsubscribe link"
    UNDO_LINK = "undo-link", "“This wasn't me” link in a confirmation e-mail"
    ADMIN = "admin", "Staff, in the admin"
    COOKIE_BANNER = "cookie-banner", "Cookie banner"
    CONTEST = "contest", "Contest entry form"
    ACCOUNT_DELETION = "account-deletion", "Account deletion"
    ADDRESS_CHANGE = "address-change", "Carried over from another address of yours"
    CONFIRMED = "confirmed", "Confirmed by the owner of the address (a link e-mailed to it)"


class Awaiting(models.TextChoices):
    """What a granted election of an e-mail purpose waits for before mail is sent: the
    owner of the address must show it is theirs, not only whoever typed it in."""

    NOTHING = "", "Nothing: in force"
    ACCOUNT_ADDRESS = "account-address", "The account to verify its address"
    OWNER = "owner", "The owner of the address to follow the link we e-mailed"


# From the least to the most a grant can wait for.
AWAITING_ORDER = [Awaiting.NOTHING, Awaiting.ACCOUNT_ADDRESS, Awaiting.OWNER]
