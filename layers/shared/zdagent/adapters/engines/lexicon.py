"""Small hand-made word lists for a shop's help centre (EN, FR): synonyms and context words.

- ``SYNONYMS``: words customers use for the same thing ("charge", "price", "fee" → "cost");
  both articles and emails go through them, so they widen matching without a model.
- ``CONTEXT_WORDS``: products, colours and people. "How do I return a dress?" asks about
  returns; the dress is context, and an article about returns answers it although it never says
  "dress". The scorer gives these words little weight, so they neither make an email look
  out of scope nor make it look answered. A place or brand name (a capitalised word) is treated
  the same way (``selection.name_terms``).
"""

from __future__ import annotations

_SYNONYM_GROUPS_EN = (
    "cost costs price prices charge charges charged fee fees",
    "parcel parcels package packages",
    "item items product products",
    "order orders ordered purchase purchases purchased",
    "damaged broken cracked smashed shattered dented crushed torn ripped",
    "change modify edit update correct fix amend",
    "wrong incorrect mistaken",
    "basket checkout cart",
    "weekend weekends saturday saturdays sunday sundays",
    "eur euro euros",
    "country countries australia austria belgium brazil canada china denmark finland france "
    "germany greece ireland italy japan luxembourg mexico netherlands norway poland portugal "
    "spain sweden switzerland turkey ukraine england scotland wales india morocco algeria",
)
_SYNONYM_GROUPS_FR = (
    "frais coût coûts prix tarif tarifs coûte",
    "colis paquet paquets",
    "commande commandes commandé commandée achat achats acheté achetée achetés achetées acheter",
    "abîmé abîmée cassé cassée endommagé endommagée fêlé fêlée fissuré fissurée fissure rayé "
    "rayée déchiré déchirée morceaux",
    "modifier changer corriger rectifier",
    "mauvais mauvaise erroné erronée",
    "taille tailles pointure pointures",
    "week-end week-ends samedi samedis dimanche dimanches",
    "eur euro euros",
    "fonctionne fonctionner marche marcher",
    "accepter acceptez acceptons accepté acceptée",
    "retourner retourne retournez renvoyer renvoie renvoyez renvoyé renvoyée",
    "pays australie autriche belgique brésil canada chine danemark finlande france allemagne "
    "grèce irlande italie japon luxembourg mexique norvège pologne portugal espagne suède "
    "suisse turquie ukraine angleterre écosse inde maroc algérie tunisie",
)
_CONTEXT_EN = """
dress dresses jacket jackets coat coats shoe shoes trainers sneakers boots sweater sweaters jumper
jumpers shirt shirts tshirt tshirts jeans trousers pants skirt skirts bag bags handbag mug mugs
cup cups kettle headphones laptop sofa mattress chair chairs lamp necklace earrings toy toys
blender vacuum wardrobe bed blanket towel towels pillow hoodie scarf hat gloves socks sandals
bike bicycle helmet stroller perfume cream book books tv television speaker camera tablet
charger cable jewellery glasses sunglasses coffee machine kettle wallet belt jersey suit
red blue green grey gray black white pink yellow brown beige purple navy
sister brother mother mum mom father dad friend wife husband daughter son kids children
boyfriend girlfriend family door doorstep handle lid toothbrush electric
"""
_CONTEXT_FR = """
robe robes veste vestes manteau manteaux chaussures baskets bottes pull pulls chemise chemises
tshirt jean jeans pantalon jupe sac sacs tasse tasses bouilloire casque ordinateur canapé
matelas chaise lampe collier bague jouet jouets mixeur aspirateur armoire lit couverture
serviette oreiller écharpe chapeau gants chaussettes sandales vélo poussette parfum crème
livre livres télé enceinte tablette chargeur câble bijou bijoux lunettes portefeuille ceinture
rouge rouges bleu bleue verte vert gris grise noir noire blanc blanche rose jaune marron beige
violet sœur frère mère maman père papa ami amie femme mari fille fils enfants famille
brosse dents électrique porte
"""


_GENERIC_VERBS_EN = "receive received get got have make send sent arrive arrived"
_GENERIC_VERBS_FR = "reçu reçue recevoir obtenir envoyer envoyé arrivé arrivée"


def generic_verbs(language: str) -> str:
    return _GENERIC_VERBS_FR if language.startswith("fr") else _GENERIC_VERBS_EN


def synonym_groups(language: str) -> tuple[str, ...]:
    return _SYNONYM_GROUPS_FR if language.startswith("fr") else _SYNONYM_GROUPS_EN


def context_words(language: str) -> str:
    return _CONTEXT_FR if language.startswith("fr") else _CONTEXT_EN
