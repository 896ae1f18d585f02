from privacy.cookies import cookie_choices


def privacy(request):
    # The banner stays until this browser has chosen; the cookies page has the form.
    return {"cookie_banner_shown": cookie_choices(request) is None}
