"""REST API of the directory of services (/api/v1/services/): what serves a unit, for apps and partners."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from .models import AdministrativeUnit, ProviderKind, ServiceProvider
from .selectors import providers_for_user


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdministrativeUnit
        fields = ["id", "code", "name", "level"]


class ServiceProviderSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    areas = AreaSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceProvider
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "services",
            "areas",
            "address",
            "hours",
            "phone",
            "contact_person",
            "is_active",
        ]


class ServiceFilterSerializer(serializers.Serializer):
    area = serializers.PrimaryKeyRelatedField(queryset=AdministrativeUnit.objects.all(), required=False)
    kind = serializers.ChoiceField(choices=ProviderKind.choices, required=False)


class ServiceListApi(generics.ListAPIView):
    """The directory as the caller reads it (every member of staff; nothing for anyone else)."""

    serializer_class = ServiceProviderSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("area", int, description="Primary key of a unit: the services serving it"),
            OpenApiParameter("kind", str, enum=ProviderKind.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = ServiceFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return providers_for_user(self.request.user, unit=data.get("area"), kind=data.get("kind", ""))
