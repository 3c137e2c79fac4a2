from .access import active_memberships


def memberships(request):
    """The signed-in user's roles and units, for the navigation bar of every page."""
    user = getattr(request, "user", None)
    memberships = active_memberships(user) if user is not None else []
    roles = {membership.role for membership in memberships}
    if user is not None and user.is_authenticated and user.is_superuser:
        roles.add("system_admin")
    return {"my_memberships": memberships, "my_roles": roles}
