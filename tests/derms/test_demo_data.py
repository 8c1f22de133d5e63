"""manage.py demo_data: a realistic utility, the same data however often it runs."""

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from derms.demo import demo_certificate_path, demo_devices
from derms.lfdi import lfdi_from_certificate, sfdi_from_lfdi
from derms.models import Authorization, DefaultDERControl, DERControl, DERCurve, DERProgram, EndDevice, Role
from derms.models.programs import validate_curve_points
from groups.models import MAX_GROUPS_PER_DER, Group, Level
from tests.factories import sign_in


@pytest.fixture
def demo_env(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.CSIP_PKI_DIR = tmp_path / "pki"
    monkeypatch.setenv("DERMS_ADMIN_PASSWORD", "demo-password-for-tests")
    return tmp_path


def signs_in(client, username: str, password: str) -> bool:
    """Whether the portal's login form takes these credentials (axes needs the request a form sends)."""
    return sign_in(client, username, password).status_code == 302 and "_auth_user_id" in client.session


def run_demo_data() -> str:
    from io import StringIO

    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def fingerprint() -> dict:
    """Everything that identifies the demo data, independent of database ids."""
    return {
        "groups": sorted(Group.objects.values_list("name", "level", "path")),
        "programs": sorted(DERProgram.objects.values_list("group__name", "primacy", "mrid")),
        "defaults": DefaultDERControl.objects.count(),
        "curves": sorted(DERCurve.objects.annotate(n=Count("points")).values_list("mrid", "curve_type", "n")),
        "events": sorted(DERControl.objects.values_list("mrid", "start", "duration")),
        "devices": sorted(
            EndDevice.objects.values_list(
                "lfdi", "role", "aggregator__lfdi", "topology_group__name", "enabled"
            )
        ),
        "memberships": EndDevice.non_topology_groups.through.objects.count(),
        "authorizations": sorted(Authorization.objects.values_list("lfdi", "status", "role", "note")),
    }


@pytest.mark.django_db
def test_running_demo_data_twice_gives_the_same_data(demo_env):
    run_demo_data()
    first = fingerprint()

    output = run_demo_data()

    assert fingerprint() == first
    assert "demo-password-for-tests" in output


@pytest.mark.django_db
def test_the_demo_utility_looks_like_a_real_one(demo_env):
    run_demo_data()

    per_level = dict(Group.objects.order_by().values_list("level").annotate(n=Count("id")))
    assert per_level[Level.SYSTEM] == 1
    assert per_level[Level.SUB_TRANSMISSION] == 2
    assert per_level[Level.SERVICE_POINT] >= 300
    assert per_level[Level.NON_TOPOLOGY] >= 4
    roles = dict(EndDevice.objects.order_by().values_list("role").annotate(n=Count("id")))
    assert roles == {Role.DIRECT: 40, Role.AGGREGATOR: 2, Role.MANAGED: 60}
    for aggregator in EndDevice.objects.filter(role=Role.AGGREGATOR):
        assert aggregator.managed_ders.count() == 30
    approved = Authorization.objects.filter(status=Authorization.Status.APPROVED)
    assert set(approved.values_list("lfdi", "role")) == set(EndDevice.objects.values_list("lfdi", "role"))
    assert Authorization.objects.filter(status=Authorization.Status.PENDING).count() == 2


@pytest.mark.django_db
def test_no_demo_der_is_in_more_than_fifteen_groups(demo_env):
    run_demo_data()

    most = (
        EndDevice.objects.filter(topology_group__isnull=False)
        .annotate(total=F("topology_group__depth") + Count("non_topology_groups"))
        .order_by("-total")
        .values_list("total", flat=True)
        .first()
    )
    assert 7 <= most <= MAX_GROUPS_PER_DER


@pytest.mark.django_db
def test_primacy_falls_from_system_to_service_point_as_in_figure_6(demo_env):
    run_demo_data()

    pairs = set(
        DERProgram.objects.exclude(group__level=Level.NON_TOPOLOGY).values_list("group__level", "primacy")
    )
    by_level = dict(pairs)
    assert len(pairs) == len(by_level), "every program of a level has that level's primacy"
    assert by_level[Level.SYSTEM] == 89
    assert by_level[Level.SERVICE_POINT] == 83
    levels = sorted(by_level)
    assert [by_level[level] for level in levels] == sorted(by_level.values(), reverse=True)
    assert Level.SEGMENT not in by_level  # no controls at that level, so no program (CSIP 5.2.3)
    assert DefaultDERControl.objects.count() == DERProgram.objects.count()


@pytest.mark.django_db
def test_the_demo_has_valid_volt_var_and_volt_watt_curves_and_scheduled_events(demo_env):
    run_demo_data()

    system_defaults = DefaultDERControl.objects.get(program__group__level=Level.SYSTEM)
    for curve in (system_defaults.op_mod_volt_var, system_defaults.op_mod_volt_watt):
        validate_curve_points([(p.x, p.y, p.excitation) for p in curve.points.all()])
    assert system_defaults.set_soft_grad_w == 200
    events = DERControl.objects.all()
    assert events.count() >= 3
    assert all(event.start > timezone.now() - dt.timedelta(minutes=1) for event in events)


@pytest.mark.django_db
def test_the_demo_admin_can_log_in_with_the_printed_password(demo_env, client):
    output = run_demo_data()

    assert "'admin'" in output
    assert signs_in(client, "admin", "demo-password-for-tests")
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser


@pytest.mark.django_db
def test_without_a_chosen_password_the_first_run_generates_one_and_prints_it_while_it_holds(
    demo_env, monkeypatch, client
):
    monkeypatch.delenv("DERMS_ADMIN_PASSWORD")

    first = run_demo_data()
    again = run_demo_data()

    generated = (demo_env / "demo-admin-password").read_text().strip()
    assert signs_in(client, "admin", generated)
    assert f"password {generated!r}" in first
    assert f"password {generated!r}" in again


@pytest.mark.django_db
def test_running_the_demo_again_keeps_a_password_the_admin_changed(demo_env, monkeypatch, client):
    monkeypatch.delenv("DERMS_ADMIN_PASSWORD")
    run_demo_data()
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("chosen-by-the-admin")
    admin.save()

    output = run_demo_data()

    assert signs_in(client, "admin", "chosen-by-the-admin")
    assert "password unchanged" in output
    assert (demo_env / "demo-admin-password").read_text().strip() not in output


@pytest.mark.django_db
def test_an_explicit_derms_admin_password_resets_an_existing_admin(demo_env, monkeypatch, client):
    run_demo_data()
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("forgotten-since")
    admin.save()
    monkeypatch.setenv("DERMS_ADMIN_PASSWORD", "reset-by-the-operator")

    run_demo_data()

    assert signs_in(client, "admin", "reset-by-the-operator")


@pytest.mark.django_db
def test_running_the_demo_again_does_not_log_the_admin_out(demo_env):
    run_demo_data()
    before = get_user_model().objects.get(username="admin").get_session_auth_hash()

    run_demo_data()

    assert get_user_model().objects.get(username="admin").get_session_auth_hash() == before


def issue_certificate(path) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "der-001")])
    now = timezone.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(certificate.public_bytes(Encoding.PEM))
    return lfdi_from_certificate(certificate.public_bytes(Encoding.DER))


@pytest.mark.django_db
def test_a_certificate_issued_later_moves_the_demo_device_to_its_lfdi(demo_env):
    assert [d.name for d in demo_devices()][:1] == ["der-001"]
    run_demo_data()
    old = Authorization.objects.get(note="demo der-001").lfdi
    devices_before = EndDevice.objects.count()
    changed_before = EndDevice.objects.get(lfdi=old).changed_time

    new = issue_certificate(demo_certificate_path("der-001"))
    run_demo_data()

    device = EndDevice.objects.get(lfdi=new)
    assert device.sfdi == sfdi_from_lfdi(new)
    assert device.changed_time > changed_before
    assert device.role == Role.DIRECT
    assert not EndDevice.objects.filter(lfdi=old).exists()
    assert Authorization.objects.get(note="demo der-001").lfdi == new
    assert EndDevice.objects.count() == devices_before
