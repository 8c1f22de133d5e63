"""The DefaultDERControl editor: every Table 9 default in a dispatcher's units, saved through the service."""

from django.urls import reverse

from derms.changefeed import Kind
from derms.der_controls import CONTROLS, DEFAULT_ONLY_SETTINGS
from derms.events.services import update_default_control
from derms.events.values import control_values
from derms.models import AuditEntry, DefaultDERControl
from tests.factories import feed_actions

DEFAULT_CONTROLS = CONTROLS + DEFAULT_ONLY_SETTINGS


def editor(program):
    return reverse("portal:defaults_edit", args=[program.pk])


def stored(program) -> dict:
    return control_values(DefaultDERControl.objects.get(program=program), controls=DEFAULT_CONTROLS)


def test_the_editor_offers_every_default_and_shows_what_the_program_sends(dispatcher_client, system_program):
    update_default_control(program=system_program, values={"opModMaxLimW": 6000, "setGradW": 20})

    page = dispatcher_client.get(editor(system_program)).content.decode()

    for element in ("opModMaxLimW", "opModEnergize", "setGradW", "setSoftGradW", "setESDelay"):
        assert f'name="{element}' in page, element
    assert 'name="opModMaxLimW" value="60.00"' in page  # 6000 hundredths of a percent
    assert 'name="setGradW" value="0.20"' in page  # 20 hundredths of a % of setMaxW per second


def test_saving_replaces_the_defaults_in_schema_units_audited_and_in_the_feed(
    dispatcher_client, dispatcher, system_program
):
    form = {
        "opModMaxLimW": "55.5",
        "opModFixedPFInjectW__factor": "0.95",
        "opModFixedPFInjectW__excitation": "injecting",
        "setGradW": "40",
    }

    response = dispatcher_client.post(editor(system_program), form)

    assert response.status_code == 302
    values = stored(system_program)
    assert values["opModMaxLimW"] == 5550
    assert values["opModFixedPFInjectW"] == {"displacement": 95, "excitation": False, "multiplier": -2}
    assert values["setGradW"] == 4000
    assert AuditEntry.objects.filter(action="default_der_control.update").latest("id").actor == dispatcher
    assert feed_actions(Kind.DEFAULT_DER_CONTROL, system_program)[-1] == "default_updated"


def test_a_value_out_of_range_is_shown_and_nothing_is_saved(dispatcher_client, system_program):
    before = stored(system_program)

    response = dispatcher_client.post(editor(system_program), {"opModMaxLimW": "140", "setGradW": "20"})

    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert stored(system_program) == before


def test_half_a_composite_control_is_refused_on_its_field(dispatcher_client, system_program):
    response = dispatcher_client.post(editor(system_program), {"opModFixedPFInjectW__factor": "0.9"})

    assert response.status_code == 400
    assert "Give excitation too" in response.content.decode()


def test_staff_who_may_not_dispatch_cannot_edit_defaults(read_only_client, system_program):
    before = stored(system_program)

    assert read_only_client.get(editor(system_program)).status_code == 403
    assert read_only_client.post(editor(system_program), {"setGradW": "1"}).status_code == 403
    assert stored(system_program) == before
