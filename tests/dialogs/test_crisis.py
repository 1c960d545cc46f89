"""Crisis signals: what a client in a shelter or in addiction care types, and what is ordinary."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml

from dialogs import ContentError
from dialogs.content.files import DEFAULT_CONTENT_DIR
from dialogs.safety.crisis import CrisisKind, Safety, SafetyFile, load_safety

SUICIDE, DANGER, VIOLENCE = CrisisKind.SUICIDE, CrisisKind.DANGER, CrisisKind.VIOLENCE


@pytest.fixture(scope="module")
def safety() -> Safety:
    return load_safety()


DUTCH_HITS = [
    ("Ik wil dood", SUICIDE),
    ("ik wil gewoon dood", SUICIDE),
    ("IK WIL DOOD!!!", SUICIDE),
    ("ik   wil    dood", SUICIDE),
    ("k wil dood 😢", SUICIDE),
    ("ik wil dooood", SUICIDE),
    ("Ik denk steeds aan zelfmoord", SUICIDE),
    ("ik heb zelfmoordgedachten", SUICIDE),
    ("ik denk aan zelfmort", SUICIDE),
    ("soms denk ik aan zelf-moord", SUICIDE),
    ("Ik ben suïcidaal", SUICIDE),
    ("ik ben suicidaal", SUICIDE),
    ("ik wil er een eind aan maken", SUICIDE),
    ("ik maak er vannacht een einde aan", SUICIDE),
    ("Ik wil er gewoon niet meer zijn.", SUICIDE),
    ("ik wil niet meer leven", SUICIDE),
    ("Ik wil zo niet meer leven...", SUICIDE),
    ("ik wou dat ik dood was", SUICIDE),
    ("was ik maar dood", SUICIDE),
    ("ik ben liever dood", SUICIDE),
    ("ik zie het echt niet meer zitten", SUICIDE),
    ("mijn leven heeft geen zin meer", SUICIDE),
    ("ik ga mezelf iets aandoen", SUICIDE),
    ("ik doe mezelf pijn", SUICIDE),
    ("ik wil mijzelf pijn doen", SUICIDE),
    ("ik heb mezelf weer gesneden", SUICIDE),
    ("ik snij in mijn armen", SUICIDE),
    ("ik ga voor de trein springen", SUICIDE),
    ("ik wil slapen en nooit meer wakker worden", SUICIDE),
    ("ik heb een afscheidsbrief geschreven", SUICIDE),
    ("ik lach me dood maar ik wil ook dood", SUICIDE),
    ("Hoi. Ik weet niet hoe ik dit moet zeggen, maar eigenlijk wil ik niet meer leven.", SUICIDE),
    ("ik heb te veel pillen genomen", DANGER),
    ("ik heb een overdosis genomen", DANGER),
    ("ik heb teveel gebruikt", DANGER),
    ("ik heb een hele strip paracetamol geslikt", DANGER),
    ("ik ben niet veilig", DANGER),
    ("ik voel me hier niet veilig", DANGER),
    ("ik ben thuis niet veilig", DANGER),
    ("hij wil me vermoorden", DANGER),
    ("Hij gaat me vermoorden!!", DANGER),
    ("ze willen me dood hebben", DANGER),
    ("hij heeft een mes", DANGER),
    ("ik ben bang dat hij weet waar ik woon", DANGER),
    ("hij heeft me gevonden", DANGER),
    ("hij slaat me", VIOLENCE),
    ("Mijn man slaat me", VIOLENCE),
    ("m'n man slaat", VIOLENCE),
    ("ze slaat me", VIOLENCE),
    ("HIJ SLAAT ME 😭😭", VIOLENCE),
    ("dinsdag... hij sloeg me weer", VIOLENCE),
    ("hij heeft mij geslagen", VIOLENCE),
    ("ik word mishandeld", VIOLENCE),
    ("ik ben mishandeld door mijn ex", VIOLENCE),
    ("hij bedreigt me", VIOLENCE),
    ("ik durf niet naar huis", VIOLENCE),
    ("ik durf echt niet meer naar huis", VIOLENCE),
    ("thuis is het niet veilig", VIOLENCE),
    ("hij heeft me gewurgd", VIOLENCE),
    ("ik ben verkracht", VIOLENCE),
    ("hij sluit me op", VIOLENCE),
    ("huiselijk geweld", VIOLENCE),
]

DUTCH_ORDINARY = [
    "ik lach me dood",
    "Ik lach me dood 😂😂",
    "ik ben doodmoe",
    "dat was dodelijk saai",
    "ik heb me doodgeschrokken",
    "de telefoon is dood",
    "de batterij is dood",
    "ik ben dood op",
    "ik schrok me dood",
    "ik wil me niet dood ergeren",
    "mijn opa is dood",
    "mijn moeder is niet meer in leven",
    "de plant is doodgegaan",
    "het is moordend heet vandaag",
    "ik sla een vraag over",
    "ik sla hem over",
    "ik sla 'm over",
    "mijn zoon slaat het ontbijt over",
    "mijn vriend slaat alarm als ik te laat ben",
    "dat slaat nergens op",
    "ik was met stomheid geslagen",
    "ik ben in 2015 op de vlucht geslagen uit Syrië",
    "ik heb me er doorheen geslagen",
    "ik kan me wel voor mijn kop slaan",
    "mijn vader heeft me eruit geschopt",
    "de baby schopt me",
    "ik word achtervolgd door pech",
    "ik zit vast aan een wurgcontract",
    "ik wil niet meer leven op straat",
    "ik wil niet meer leven van een uitkering",
    "ik wil een einde aan de relatie maken",
    "ik wil een eind maken aan mijn schulden",
    "ik wil de ruzie met mijn zus beëindigen",
    "ik voel me hier veilig",
    "is de app veilig?",
    "ik heb mijn pillen genomen",
    "ik heb al mijn pillen vandaag genomen",
    "ik moet mijn medicijnen ophalen bij de apotheek",
    "ik heb te veel hooi op mijn vork genomen",
    "ik snij de groente",
    "ik heb in mijn vinger gesneden bij het koken",
    "we moeten snijden in de kosten",
    "ik heb een mes nodig om brood te snijden",
    "ik ga naar huis",
    "ik durf het niet te zeggen",
    "ik zie het niet zitten om te verhuizen",
    "ik wil doorgaan met mijn plan",
    "ik heb het dodelijk druk",
    "de klok slaat twaalf",
    "ik ben verslagen bij het schaken",
    "hij heeft me geholpen met verhuizen",
    "mijn phone is dood, sorry",
]

ENGLISH_HITS = [
    ("I want to kill myself", SUICIDE),
    ("i wanna kill myself", SUICIDE),
    ("gonna kill my self tonight", SUICIDE),
    ("kms", SUICIDE),
    ("I'm thinking about suicide", SUICIDE),
    ("I feel SUICIDAL", SUICIDE),
    ("I want to end my life", SUICIDE),
    ("i just want to die", SUICIDE),
    ("I want 2 die", SUICIDE),
    ("I don't want to live anymore", SUICIDE),
    ("i dont wanna live", SUICIDE),
    ("I don\u2019t want to be here anymore", SUICIDE),
    ("I wish I was dead", SUICIDE),
    ("they would all be better off without me", SUICIDE),
    ("I'm going to hurt myself", SUICIDE),
    ("I self-harm", SUICIDE),
    ("I've been cutting myself again", SUICIDE),
    ("there is no reason to live", SUICIDE),
    ("I can't go on anymore", SUICIDE),
    ("Honestly, sometimes I think about ending it all.", SUICIDE),
    ("i want to unalive myself", SUICIDE),
    ("I'd rather die than go back to him", SUICIDE),
    ("I took an overdose", DANGER),
    ("I took too many pills", DANGER),
    ("he is going to kill me", DANGER),
    ("he's gonna kill me", DANGER),
    ("he'll kill me", DANGER),
    ("I'm not safe", DANGER),
    ("I'm not safe at home", DANGER),
    ("I don't feel safe", DANGER),
    ("my ex is stalking me", DANGER),
    ("he has a gun", DANGER),
    ("I fear for my life", DANGER),
    ("he knows where I live", DANGER),
    ("he hits me", VIOLENCE),
    ("my husband beats me", VIOLENCE),
    ("he beat me up", VIOLENCE),
    ("she slapped me", VIOLENCE),
    ("MY BOYFRIEND HITS ME!!", VIOLENCE),
    ("I was raped", VIOLENCE),
    ("I'm being abused", VIOLENCE),
    ("this is domestic violence", VIOLENCE),
    ("not safe at home", VIOLENCE),
    ("I'm afraid to go home", VIOLENCE),
    ("he threatens me", VIOLENCE),
    ("he locked me in the bedroom", VIOLENCE),
    ("he choked me", VIOLENCE),
]

ENGLISH_ORDINARY = [
    "I could kill for a coffee",
    "killing time at the station",
    "this is killing me",
    "my back is killing me",
    "that joke killed me",
    "the deadline is tomorrow",
    "my phone died",
    "he hit the ball",
    "he hit the road",
    "she hits the gym every day",
    "beats me, no idea",
    "she beat me at chess again",
    "he beat me to it",
    "hit me up later",
    "it hit me that I need help",
    "I'm dead tired",
    "I almost died laughing",
    "I killed myself laughing",
    "I want to dye my hair",
    "I want to die my hair blue",
    "I wanted to die of embarrassment",
    "I'm dying to see my kids",
    "I'm so bored I could die",
    "I don't want to live with my parents",
    "I don't want to live on the streets anymore",
    "I want to live a good life",
    "I took my pills this morning",
    "is my data safe?",
    "I feel safe here",
    "he found me a job",
    "the baby kicks me all night",
    "that movie choked me up",
    "my landlord kicked me out",
    "let's kill two birds with one stone",
    "drug abuse runs in my family",
    "I used to abuse alcohol",
    "I'm scared of spiders",
    "I'm afraid of my exam",
    "this week is murder",
    "I want to take my life back",
]

MIXED_HITS = [
    ("ik voel me zo slecht, i want to die", SUICIDE),
    ("ik ben zo moe van alles, kms", SUICIDE),
    ("sorry voor mijn Nederlands, he hits me every day", VIOLENCE),
    ("my husband slaat me", VIOLENCE),
]

MIXED_ORDINARY = [
    "ik heb zo'n deadline, killing me",
    "mijn phone died gisteren",
    "ik could kill for a koffie",
]


# Mixed messages: every language is checked in every message.
@pytest.mark.parametrize(("text", "kind"), DUTCH_HITS + ENGLISH_HITS + MIXED_HITS)
def test_crisis_messages_match(safety: Safety, text: str, kind: CrisisKind) -> None:
    assert safety.matches(text) is kind


@pytest.mark.parametrize("text", DUTCH_ORDINARY + ENGLISH_ORDINARY + MIXED_ORDINARY)
def test_ordinary_messages_do_not(safety: Safety, text: str) -> None:
    assert safety.matches(text) is None


def test_the_most_urgent_kind_is_answered(safety: Safety) -> None:
    assert safety.matches("hij slaat me en ik wil dood") is SUICIDE
    assert safety.matches("ik wil dood, ik heb te veel pillen genomen") is DANGER


def test_the_matcher_sees_a_normalised_message(safety: Safety) -> None:
    assert safety.prepare("  Ik  WIL  dooood!!! 😭 ") == " ik wil dood "
    assert safety.prepare("M'n vriend… hij slaat mij") == " mijn vriend hij slaat me "
    assert safety.prepare("I\u2019m gonna") == " i am going to "
    assert safety.prepare("ik lach me dood") == " ik | "


def test_empty_and_odd_messages_are_ordinary(safety: Safety) -> None:
    for text in ("", "   ", "😀", "...", "113", "ዝበዝሐ ሰላም", "مرحبا"):
        assert safety.matches(text) is None


def test_safety_cannot_be_changed_after_loading(safety: Safety) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        safety.exclusions = safety.spellings  # type: ignore[misc]


# --- loading ----------------------------------------------------------------------------------

SMALL = """\
patterns:
  suicide: [ik wil ~ weg]
  danger: [rode knop*]
  violence: [duwt|trekt me]
exclusions: [ik wil weg uit de wachtkamer]
spellings:
  me: [mij]
"""


def write(root: Path, name: str, text: str) -> Path:
    folder = root / "safety"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_lists_are_read_from_yaml(tmp_path: Path) -> None:
    write(tmp_path, "xx.yaml", SMALL)
    safety = load_safety(tmp_path)
    assert safety.matches("ik wil echt weg") is SUICIDE
    assert safety.matches("de rode knoppen") is DANGER
    assert safety.matches("hij trekt mij") is VIOLENCE
    assert safety.matches("ik wil weg uit de wachtkamer") is None
    assert safety.matches("ik wil dood") is None  # only these lists count


def test_the_shipped_lists_cover_every_kind_in_dutch_and_english() -> None:
    for language in ("nl", "en"):
        path = DEFAULT_CONTENT_DIR / "safety" / f"{language}.yaml"
        lists = SafetyFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert all(len(lists.patterns.of(kind)) >= 20 for kind in CrisisKind), language


def test_broken_yaml_names_the_file(tmp_path: Path) -> None:
    write(tmp_path, "nl.yaml", "patterns:\n  suicide: [ik wil dood\n")
    with pytest.raises(ContentError, match=r"safety/nl\.yaml: cannot be read"):
        load_safety(tmp_path)


def test_a_missing_kind_or_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    write(tmp_path, "nl.yaml", "patterns:\n  suicide: [a]\n  danger: [b]\n  geweld: [c]\n")
    with pytest.raises(
        ContentError, match=r"nl\.yaml: .*patterns\.violence: Field required.*patterns\.geweld"
    ):
        load_safety(tmp_path)


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [
        ("'[ik] wil dood'", "begin and end with a word"),
        ("'wil dood ~'", "begin and end with a word"),
        ("'wil ~ ~ dood'", "one ~ already stands for up to 2 words"),
        ("'wil d*od'", "is not a word"),
        ("'Ik wil dood'", "lower case"),
        ("12", "Input should be a valid string"),
    ],
)
def test_a_broken_phrase_names_file_and_problem(tmp_path: Path, phrase: str, problem: str) -> None:
    write(
        tmp_path, "en.yaml", f"patterns:\n  suicide: [{phrase}]\n  danger: [b]\n  violence: [c]\n"
    )
    with pytest.raises(ContentError, match=rf"en\.yaml: patterns\.suicide\.0: .*{problem}"):
        load_safety(tmp_path)


def test_an_exclusion_may_not_switch_a_phrase_off(tmp_path: Path) -> None:
    write(tmp_path, "nl.yaml", SMALL.replace("[ik wil weg uit de wachtkamer]", "[rode knop]"))
    with pytest.raises(ContentError, match=r"nl\.yaml: patterns\.danger: 'rode knop\*' can never"):
        load_safety(tmp_path)


def test_two_languages_may_not_respell_a_word_differently(tmp_path: Path) -> None:
    write(tmp_path, "en.yaml", SMALL)
    write(tmp_path, "nl.yaml", SMALL.replace("me: [mij]", "my: [mij]"))
    with pytest.raises(ContentError, match=r"nl\.yaml: spellings\.my: 'mij' is already .*en\.yaml"):
        load_safety(tmp_path)


def test_without_the_safety_folder_the_bot_does_not_start(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_CONTENT_DIR / "texts", tmp_path / "texts")
    with pytest.raises(ContentError, match=r"safety: needs <language>\.yaml"):
        load_safety(tmp_path)
