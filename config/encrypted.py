"""A text field stored encrypted with the keys of the uploads (config.files: Fernet, BAOVE_FILE_KEYS, newest
first), for the few secrets an administrator types in (a gateway's API key, a callback secret). The database
holds only the token; a dump or a replica gives nothing away. `rotate_file_keys` re-encrypts them too."""

from cryptography.fernet import InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from config import files

PREFIX = "fernet:"


class EncryptedTextField(models.TextField):
    """Plain text in Python, "fernet:<token>" in the database; an empty value is stored empty."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return ""
        return PREFIX + files.encrypt(str(value).encode("utf-8")).decode("ascii")

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        if not value.startswith(PREFIX):
            return value  # written before the field was encrypted
        try:
            return files.decrypt(value[len(PREFIX) :].encode("ascii")).decode("utf-8")
        except InvalidToken as error:
            raise ImproperlyConfigured(
                "A stored secret cannot be decrypted: is its key still in BAOVE_FILE_KEYS?"
            ) from error

    def to_python(self, value):
        return "" if value is None else value
