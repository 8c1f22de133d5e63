"""LFDI normalisation and the SFDI rule, with the vectors from CSIP-NOTES."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from derms.lfdi import format_sfdi, lfdi_prefix_from_sfdi, normalize_lfdi, sfdi_from_lfdi
from derms.models import EndDevice, Role

SFDI_VECTORS = [
    ("12a4a4b406ad102e7421019135ffa2805235a21c", 50044792964),
    ("3E4F45AB31EDFE5B67E343E5E4562E31984E23E5", 167261211391),
    ("247bd68e3378fe57ba604e3c8bdf9e3f78a3d743", 97935300833),
    ("2990c58a59935a7d5838c952b1a453c967341a07", 111576577659),
]


@pytest.mark.parametrize(("lfdi", "sfdi"), SFDI_VECTORS)
def test_the_sfdi_is_the_first_36_bits_with_a_digit_sum_check_digit(lfdi, sfdi):
    assert sfdi_from_lfdi(lfdi) == sfdi


@pytest.mark.parametrize(("lfdi", "sfdi"), SFDI_VECTORS)
def test_an_sfdi_leads_back_to_the_first_nine_hex_digits_of_its_lfdi(lfdi, sfdi):
    assert lfdi_prefix_from_sfdi(sfdi) == lfdi[:9].lower()


def test_people_read_the_sfdi_as_twelve_zero_padded_digits():
    assert format_sfdi(50044792964) == "050044792964"
    assert format_sfdi(167261211391) == "167261211391"


@pytest.mark.parametrize("sfdi", [50044792963, 10**13, -1])
def test_a_number_with_a_wrong_check_digit_or_length_is_not_an_sfdi(sfdi):
    with pytest.raises(ValidationError):
        lfdi_prefix_from_sfdi(sfdi)


def test_an_lfdi_in_any_case_is_stored_in_lower_case():
    assert (
        normalize_lfdi(" 3E4F45AB31EDFE5B67E343E5E4562E31984E23E5\n")
        == "3e4f45ab31edfe5b67e343e5e4562e31984e23e5"
    )


@pytest.mark.parametrize("bad", ["", "12a4", "g" * 40, "12a4a4b406ad102e7421019135ffa2805235a21c00", None])
def test_anything_but_forty_hex_digits_is_refused(bad):
    with pytest.raises(ValidationError):
        normalize_lfdi(bad)


def test_an_end_device_stores_its_normalised_lfdi_and_derived_sfdi(db):
    device = EndDevice.objects.create(lfdi="3E4F45AB31EDFE5B67E343E5E4562E31984E23E5", role=Role.DIRECT)
    device.refresh_from_db()
    assert device.lfdi == "3e4f45ab31edfe5b67e343e5e4562e31984e23e5"
    assert device.sfdi == 167261211391


def test_two_spellings_of_one_lfdi_are_one_end_device(db):
    EndDevice.objects.create(lfdi="3e4f45ab31edfe5b67e343e5e4562e31984e23e5", role=Role.DIRECT)
    with pytest.raises(IntegrityError):
        EndDevice.objects.create(lfdi="3E4F45AB31EDFE5B67E343E5E4562E31984E23E5", role=Role.DIRECT)
