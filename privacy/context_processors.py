from careerperfect.navigation import return_path
from privacy.cookies import cookie_choices


def privacy(request):
    # The banner stays until this browser has chosen; the cookies page has the form.
    shown = cookie_choices(request) is None
    return {
        "cookie_banner_shown": shown,
        # Where its buttons bring the visitor back to: never a POST-only address.
        "cookie_banner_next": return_path(request) if shown else "",
    }
