"""The curve editor: points in a table, scaling, saved through create_curve or update_curve."""

from django.urls import reverse

from derms.changefeed import Kind
from derms.der_controls import CurveType
from derms.models import AuditEntry, DERCurve
from tests.factories import feed_actions


def points_form(points, **fields) -> dict:
    form = {"description": "Rule 21", "y_ref_type": "2", "x_multiplier": "-2", "y_multiplier": "0", **fields}
    for i, (x, y) in enumerate(points):
        form[f"x_{i}"], form[f"y_{i}"] = str(x), str(y)
    return form


RULE_21 = [(9200, 3000), (9670, 0), (10300, 0), (10700, -3000)]


def test_a_dispatcher_makes_a_volt_var_curve(dispatcher_client, dispatcher, system_program):
    url = reverse("portal:curve_new", args=[system_program.pk])
    assert "Voltage" in dispatcher_client.get(url).content.decode()

    response = dispatcher_client.post(url, points_form(RULE_21, curve_type=str(CurveType.VOLT_VAR)))

    assert response.status_code == 302
    curve = DERCurve.objects.get(description="Rule 21")
    assert [(p.x, p.y) for p in curve.points.order_by("position")] == RULE_21
    assert (curve.curve_type, curve.x_multiplier, curve.y_ref_type) == (CurveType.VOLT_VAR, -2, 2)


def test_editing_replaces_the_points_audited_and_in_the_feed(dispatcher_client, dispatcher, volt_var_curve):
    url = reverse("portal:curve_edit", args=[volt_var_curve.program_id, volt_var_curve.pk])
    page = dispatcher_client.get(url).content.decode()
    assert 'id="curve-plot"' in page and "uPlot.iife.min.js" in page

    response = dispatcher_client.post(url, points_form([(9000, 4000), (11000, -4000)]))

    assert response.status_code == 302
    volt_var_curve.refresh_from_db()
    assert [(p.x, p.y) for p in volt_var_curve.points.order_by("position")] == [(9000, 4000), (11000, -4000)]
    assert volt_var_curve.curve_type == CurveType.VOLT_VAR  # the type stays
    entry = AuditEntry.objects.get(action="der_curve.change")
    assert entry.actor == dispatcher and entry.after["points"] == [[9000, 4000, None], [11000, -4000, None]]
    assert feed_actions(Kind.DER_CURVE, volt_var_curve)[-1] == "curve_changed"
    assert feed_actions(Kind.DER_CURVE_LIST, volt_var_curve.program_id)[-1] == "curve_changed"


def test_points_out_of_order_or_half_filled_are_shown_beside_their_row_and_nothing_is_saved(
    dispatcher_client, volt_var_curve
):
    url = reverse("portal:curve_edit", args=[volt_var_curve.program_id, volt_var_curve.pk])
    before = list(volt_var_curve.points.values_list("x", "y"))
    form = points_form([(9000, 1), (8000, 2)])
    form["y_2"] = "5"

    response = dispatcher_client.post(url, form)

    page = response.content.decode()
    assert response.status_code == 400
    assert "x must be greater than the point before" in page
    assert "Give both x and y, or neither." in page
    assert list(volt_var_curve.points.values_list("x", "y")) == before


def test_a_curve_with_no_point_is_refused(dispatcher_client, system_program):
    url = reverse("portal:curve_new", args=[system_program.pk])

    response = dispatcher_client.post(url, points_form([], curve_type=str(CurveType.VOLT_WATT)))

    assert response.status_code == 400
    assert "Give at least one point." in response.content.decode()
    assert not DERCurve.objects.filter(description="Rule 21").exists()


def test_staff_who_may_not_dispatch_cannot_edit_curves(read_only_client, volt_var_curve):
    url = reverse("portal:curve_edit", args=[volt_var_curve.program_id, volt_var_curve.pk])

    assert read_only_client.get(url).status_code == 403
    assert read_only_client.post(url, points_form([(1, 1)])).status_code == 403


def test_a_curve_of_another_program_is_not_found(dispatcher_client, volt_var_curve, service_point_program):
    url = reverse("portal:curve_edit", args=[service_point_program.pk, volt_var_curve.pk])

    assert dispatcher_client.get(url).status_code == 404
