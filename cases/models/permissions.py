"""django-guardian object permissions on case files, with real foreign keys."""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .case_files import CaseFile


class CaseFileUserObjectPermission(UserObjectPermissionBase):
    """guardian, with a real foreign key: users named on a restricted case file."""

    content_object = models.ForeignKey(CaseFile, on_delete=models.CASCADE)


class CaseFileGroupObjectPermission(GroupObjectPermissionBase):
    """guardian, with a real foreign key: an agency's staff group while it holds an active assignment."""

    content_object = models.ForeignKey(CaseFile, on_delete=models.CASCADE)
