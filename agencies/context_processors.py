from .access import active_memberships


def memberships(request):
    """The signed-in user's roles and units, for the navigation bar of every page."""
    user = getattr(request, "user", None)
    return {"my_memberships": active_memberships(user) if user is not None else []}
