import pytest
from django.core.exceptions import ValidationError

from madoguchi.platform.identifiers import corporate_check_digit as check_digit
from madoguchi.platform.identifiers import validate_corporate_number

# Published numbers: 国税庁 itself, and two companies' numbers as they appear on the
# 国税庁法人番号公表サイト.
REAL_NUMBERS = ["7000012050002", "4011001098993", "2120901007402"]


@pytest.mark.parametrize("number", REAL_NUMBERS)
def test_published_numbers_are_valid(number: str) -> None:
    validate_corporate_number(number)
    assert check_digit(number[1:]) == int(number[0])


def test_full_width_digits_and_hyphens_are_accepted() -> None:
    validate_corporate_number("７-0000-1205-0002")


@pytest.mark.parametrize("number", ["8000012050002", "7000012050003", "1234567890123"])
def test_a_wrong_check_digit_is_refused_in_japanese(number: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_corporate_number(number)
    assert "チェックデジット" in info.value.messages[0]


@pytest.mark.parametrize("number", ["700001205000", "70000120500021", "70000120500O2"])
def test_a_number_that_is_not_13_digits_is_refused(number: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_corporate_number(number)
    assert "13桁" in info.value.messages[0]


ARABIC_INDIC = "٧٠٠٠٠١٢٠٥٠٠٠٢"  # 7000012050002 in Arabic-Indic digits
DEVANAGARI = "७००००१२०५०००२"


@pytest.mark.parametrize("number", [ARABIC_INDIC, DEVANAGARI, "7000012050٠٠2"])
def test_other_scripts_digits_are_refused_with_their_own_message(number: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_corporate_number(number)
    assert info.value.code == "non_ascii_digit"
    assert "法人番号は 0〜9 の数字（全角・半角）で入力してください" in info.value.messages[0]


@pytest.mark.parametrize("number", ["T7000012050002", "t7000012050002", "Ｔ７０００－０１２０－５０００２"])
def test_an_invoice_registration_number_gets_its_own_message(number: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_corporate_number(number)
    assert "適格請求書発行事業者の登録番号（T＋13桁）ではなく、法人番号（13桁）を入力してください" in info.value.messages[0]
