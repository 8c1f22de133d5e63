"""DERPrograms (one per group, each with its DefaultDERControl), mRIDs, curves (1-10 points, x strictly
increasing) and their constraints."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from derms.der_controls import CONTROLS, DEFAULT_ONLY_SETTINGS, CurveType
from derms.events.services import create_program
from derms.events.values import control_values
from derms.models import AuditEntry, DefaultDERControl, DERCurve, DERProgram
from derms.models.programs import validate_curve_points, validate_mrid
from tests.factories import make_curve, make_program


def test_a_group_has_at_most_one_der_program(topology):
    make_program(topology.feeder, primacy=86)
    with pytest.raises(IntegrityError), transaction.atomic():
        DERProgram.objects.create(group=topology.feeder, primacy=85)


def test_creating_a_second_program_for_a_group_says_so_and_changes_nothing(topology):
    first = make_program(topology.feeder, primacy=86)
    with pytest.raises(ValidationError) as caught:
        create_program(group=topology.feeder, primacy=85, description="Again")
    assert caught.value.message_dict == {"group": ["FDR-A1-C1-D1 already has a DER program (one per group)."]}
    assert list(DERProgram.objects.all()) == [first]
    assert DefaultDERControl.objects.count() == 1


def test_a_new_program_comes_with_its_empty_default_control_and_an_audit_entry(topology, dispatcher):
    program = create_program(group=topology.system, primacy=89, description="SYS-A1", actor=dispatcher)

    default = DefaultDERControl.objects.get(program=program)
    assert control_values(default, controls=CONTROLS + DEFAULT_ONLY_SETTINGS) == {}
    assert (default.version, default.description) == (0, "Defaults SYS-A1")
    entry = AuditEntry.objects.get(action="der_program.create")
    assert (entry.actor, entry.after["primacy"], entry.after["group_id"]) == (
        dispatcher,
        89,
        topology.system.pk,
    )


def test_a_program_with_a_bad_primacy_or_mrid_is_refused_with_every_reason(topology):
    with pytest.raises(ValidationError) as caught:
        create_program(group=topology.system, primacy=256, mrid="ABC")
    assert set(caught.value.message_dict) == {"primacy", "mrid"}
    assert not DERProgram.objects.exists()


@pytest.mark.parametrize("mrid", ["AB", "0123456789abcdef0123456789ABCDEF", "00"])
def test_an_mrid_is_an_even_number_of_up_to_32_hex_digits(mrid):
    validate_mrid(mrid)


@pytest.mark.parametrize("mrid", ["", "A", "ABC", "0123456789abcdef0123456789ABCDEF00", "GG", "AB CD"])
def test_anything_else_is_not_an_mrid(mrid):
    with pytest.raises(ValidationError, match="HexBinary128"):
        validate_mrid(mrid)


def test_the_model_field_checks_the_mrid_when_a_form_or_full_clean_runs(topology):
    program = make_program(topology.system, primacy=89)
    program.mrid = "XYZ"
    with pytest.raises(ValidationError) as caught:
        program.full_clean()
    assert set(caught.value.message_dict) == {"mrid"}


def test_a_program_mrid_is_stable_and_unique(topology):
    first = make_program(topology.system, primacy=89)
    second = make_program(topology.feeder, primacy=86)
    first.refresh_from_db()
    assert first.mrid != second.mrid
    assert len(first.mrid) == 32
    assert DERProgram.objects.get(pk=first.pk).mrid == first.mrid


def test_primacy_fits_in_an_unsigned_byte(topology):
    with pytest.raises(IntegrityError), transaction.atomic():
        DERProgram.objects.create(group=topology.system, primacy=256)


def test_programs_list_by_primacy(topology):
    make_program(topology.system, primacy=89)
    make_program(topology.service_point, primacy=83)
    make_program(topology.feeder, primacy=86)
    assert [p.primacy for p in DERProgram.objects.all()] == [83, 86, 89]


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([], "1 to 10 points"),
        ([(x, 0, None) for x in range(11)], "1 to 10 points"),
        ([(9200, 3000, None), (9200, 0, None)], "strictly increasing"),
        ([(10300, 0, None), (9670, 0, None)], "strictly increasing"),
        ([(2**31, 0, None)], "32-bit"),
    ],
)
def test_a_curve_needs_one_to_ten_points_with_x_strictly_increasing(points, message):
    with pytest.raises(ValidationError, match=message):
        validate_curve_points(points)


def test_a_rule_21_volt_var_curve_is_valid_and_keeps_its_values(topology):
    program = make_program(topology.system, primacy=89)
    points = [(9200, 3000), (9670, 0), (10300, 0), (10700, -3000)]
    validate_curve_points([(x, y, None) for x, y in points])

    curve = make_curve(program, curve_type=CurveType.VOLT_VAR, points=points)

    stored = DERCurve.objects.get(pk=curve.pk)
    assert [(p.x, p.y) for p in stored.points.all()] == points
    assert stored.get_curve_type_display() == "Volt-var"


def test_a_curve_type_outside_the_schema_enumeration_is_refused(topology):
    program = make_program(topology.system, primacy=89)
    with pytest.raises(IntegrityError), transaction.atomic():
        DERCurve.objects.create(program=program, curve_type=15, y_ref_type=2)
