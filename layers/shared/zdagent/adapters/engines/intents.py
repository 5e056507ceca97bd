# ruff: noqa: E501  (pattern tables read better one pattern a line)
"""Messages no article should answer: "I want a human", prompt injection, "thanks!", auto-replies.

Pattern lists in the agent's languages (en, fr first; de, es, nl, it, pt for the common phrases).
They run on the cleaned message, lower-cased and accent-folded, before any retrieval or model call,
so an injected instruction never reaches a model and a customer asking for a person gets one.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Intent = Literal["human", "injection", "acknowledgement", "auto_reply"]

_PERSON = (
    r"(human|humain|person|personne|people|real agent|live agent|agent|someone|somebody|"
    r"representative|rep|operator|manager|supervisor|staff|conseill[a-z]*|vrai[a-z]*|"
    r"responsable|mensch|mitarbeiter|persona|humano|mens|medewerker|umano|operatore|pessoa|"
    r"atendente)"
)
_HUMAN_PATTERNS: tuple[str, ...] = (
    rf"\b(speak|talk|chat|get through|connect me|put me through|transfer me)\b.{{0,25}}\b(to|with)\b.{{0,20}}\b{_PERSON}\b",
    r"\b(want|need|demand|request|like|give me)\b.{0,20}\b(a|an|real|actual|some|the)\b.{0,10}\b(human|person|real person|human being|live agent|real agent|manager|supervisor)\b",
    r"\b(are you|is this|am i talking to|stop sending me)\b.{0,20}\b(a )?(bot|robot|machine|automated|ai)\b",
    r"\b(not|no more|enough of|stop)\b.{0,15}\b(bot|robot|automated (answer|repl[a-z]*|response[a-z]*)|canned)",
    r"\b(parler|discuter|echanger|etre mis en relation|mettre en relation)\b.{0,30}\b(un|une|a|avec|le|la)\b.{0,15}"
    rf"\b{_PERSON}\b",
    rf"\b(passe[zr]?[- ]moi|transfere[zr]?[- ]moi|donne[zr]?[- ]moi)\b.{{0,20}}\b{_PERSON}\b",
    r"\b(veux|voudrais|exige|demande|souhaite)\b.{0,25}\b(un|une|vrai|vraie|votre)\b.{0,15}\b(humain|personne|conseill[a-z]*|responsable|etre humain|agent)\b",
    r"\b(pas|plus)\b.{0,15}\b(un robot|un bot|une machine|de robot|de bot|reponse[s]? automatique[s]?)\b",
    r"\b(mit einem menschen|mit einer person|echten mitarbeiter)\b",
    r"\b(hablar con|con una persona|con un humano|agente humano)\b",
    r"\b(met een mens|met een medewerker|echte persoon)\b",
    r"\b(parlare con|con una persona|operatore umano)\b",
    r"\b(falar com|com uma pessoa|atendente humano)\b",
    # Frustration that, in practice, always ends with a person: legal threats, chargebacks.
    r"\b(lawyer|attorney|legal action|sue you|small claims|chargeback|trading standards)\b",
    r"\b(avocat|poursuites|plainte|mise en demeure|60 millions|dgccrf|litige bancaire)\b",
    r"\b(this is|that('s| is)) (the )?(third|fourth|fifth|\d+(st|nd|rd|th)) time\b.{0,40}\b(ask|writ|email|contact)",
    r"\b(didn'?t|doesn'?t|did not|does not|not) (help|answer my question)\b",
    r"\b(ne m'aide pas|ne repond pas a ma question|ca ne m'aide pas|toujours pas de reponse)\b",
)
_INJECTION_PATTERNS: tuple[str, ...] = (
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instruction|instructions|prompt|rules|guidelines|directives|system message|programming)\b",
    r"\b(previous|prior|above|earlier|original)\s+(instruction|instructions|prompt|rules)\b",
    r"\b(system prompt|system message|developer mode|jailbreak|do anything now|dan mode)\b",
    r"\b(reveal|show|print|repeat|output|display|tell me|share|give me)\b.{0,30}\b(your|the)\b.{0,20}\b(prompt|instructions|system|configuration|config|rules|api key|secret|settings)\b",
    r"\byou are (now|no longer)\b",
    r"\b(pretend|act as if|from now on you|roleplay as|role-play as)\b",
    r"\bnew instructions?\s*:",
    r"</?\s*(system|instructions?|assistant|prompt)\s*>",
    r"\[\s*(system|inst)\s*\]|<<\s*sys\s*>>|<\|im_start\|>",
    r"\b(ignore[rz]?|oublie[rz]?|oubliez|ne tiens? pas compte|ne tenez pas compte)\b.{0,40}\b(instructions?|consignes?|regles|directives|prompt)\b",
    r"\b(tu es|vous etes) (desormais|maintenant|a present)\b",
    r"\b(tu n'?es plus|vous n'?etes plus)\b",
    r"\b(joue[sz]?|jouez) le role\b|\bact as (dan|an? (unrestricted|different|new))\b",
    r"\b(affiche|revele|montre|donne|repete|dis)[a-z]*\b.{0,30}\b(ton|tes|votre|vos|le|les)\b.{0,15}\b(prompt|instructions?|consignes?|configuration|parametres|regles)\b",
    r"\b(a partir de maintenant|des maintenant),? (tu|vous)\b",
    r"\b(ignoriere|vergiss)\b.{0,30}\b(anweisungen|regeln)\b",
    r"\b(ignora|olvida)\b.{0,30}\b(instrucciones|reglas|istruzioni|regole)\b",
    r"\b(negeer|vergeet)\b.{0,30}\b(instructies|regels)\b",
    r"\b(ignore|esqueca)\b.{0,30}\b(instrucoes|regras)\b",
    # Orders aimed at the assistant rather than questions to the shop.
    r"\b(ignore|disregard|ignorez?|oublie[zr]?)\b.{0,40}\b(policy|policies|politique)\b",
    r"\b(i )?authori[sz]e you to\b|\bje (t|vous)'?\s?autorise a\b",
    r"\b(reply|respond|answer) (only|just) with\b|\brepon(ds|dez) (uniquement|seulement) (par|avec)\b",
    r"\b(translate|send|share|forward|traduis|traduisez|envoie|envoyez|transmets)\b.{0,40}"
    r"\b(guidelines|instructions|consignes|directives|prompt)\b",
    r"\b(note|message|text|texte|instructions?)\b.{0,20}\b(for|to|pour|a) (the |l'|l )?"
    r"(ai|ia|assistant|bot|model|modele|chatbot)\b",
    r"\b(assistant|ai|ia|bot)\s*:\s*(ignore|oublie|approve|approuve|accorde|grant|tell|dis)",
)
# A short message made only of these words is a thank-you or an "ok", not a question.
_ACKNOWLEDGEMENT_WORDS = frozenset(
    [
        "ok",
        "okay",
        "great",
        "perfect",
        "super",
        "cool",
        "awesome",
        "excellent",
        "brilliant",
        "wonderful",
        "fantastic",
        "nice",
        "good",
        "fine",
        "got",
        "it",
        "received",
        "noted",
        "all",
        "thanks",
        "thank",
        "you",
        "so",
        "very",
        "much",
        "a",
        "lot",
        "many",
        "again",
        "for",
        "your",
        "the",
        "help",
        "reply",
        "answer",
        "quick",
        "that's",
        "that",
        "is",
        "it's",
        "works",
        "worked",
        "working",
        "now",
        "solved",
        "sorted",
        "problem",
        "issue",
        "fixed",
        "resolved",
        "done",
        "cheers",
        "team",
        "guys",
        "lovely",
        "appreciated",
        "appreciate",
        "merci",
        "beaucoup",
        "bien",
        "parfait",
        "c'est",
        "ca",
        "marche",
        "fonctionne",
        "resolu",
        "regle",
        "probleme",
        "recu",
        "note",
        "tres",
        "pour",
        "votre",
        "ta",
        "aide",
        "reponse",
        "rapide",
        "encore",
        "top",
        "genial",
        "nickel",
        "impeccable",
        "d'accord",
        "a",
        "vous",
        "toi",
        "l'equipe",
        "tout",
        "est",
        "bon",
        "danke",
        "schon",
        "gracias",
        "bedankt",
        "grazie",
        "obrigado",
        "obrigada",
    ]
)
_ACKNOWLEDGEMENT_MAX_WORDS = 12
_AUTO_REPLY = re.compile(
    r"\b(out of (the )?office|auto(matic)?[- ]?reply|i am (currently )?away|on (annual )?leave until|"
    r"absent(e)? du bureau|reponse automatique|je suis (actuellement )?absent|en conges jusqu|"
    r"abwesenheitsnotiz|nicht im buro|fuera de la oficina|afwezig|fuori ufficio|fora do escritorio)\b"
)


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", folded).strip()


_HUMAN = tuple(re.compile(pattern) for pattern in _HUMAN_PATTERNS)
_INJECTION = tuple(re.compile(pattern) for pattern in _INJECTION_PATTERNS)


def classify_intent(text: str) -> Intent | None:
    """What kind of message this is when it is not a question for the knowledge base."""
    normalised = _normalise(text)
    if not normalised:
        return None
    if any(pattern.search(normalised) for pattern in _INJECTION):
        return "injection"
    if any(pattern.search(normalised) for pattern in _HUMAN):
        return "human"
    if _AUTO_REPLY.search(normalised):
        return "auto_reply"
    if _is_acknowledgement(normalised):
        return "acknowledgement"
    return None


def _is_acknowledgement(normalised: str) -> bool:
    if "?" in normalised:
        return False
    tokens = re.findall(r"[a-z']+", normalised)
    return 0 < len(tokens) <= _ACKNOWLEDGEMENT_MAX_WORDS and all(
        token in _ACKNOWLEDGEMENT_WORDS for token in tokens
    )


def looks_like_injection(text: str) -> bool:
    return any(pattern.search(_normalise(text)) for pattern in _INJECTION)
