from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .selectors import agencies_for_user


@login_required
def directory(request):
    page = Paginator(agencies_for_user(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "agencies/directory.html", {"page_obj": page})
