"""Cue words and phrases of the rule scorer, per language.

Entries are written compactly: ``augment{e,é,ation}`` expands to augmente, augmenté,
augmentation; ``à_cause_de`` is a phrase (words joined by ``_``, matched across spaces and
apostrophes). Everything is lowercase. Cues are sorted by feature, and a feature's weight and
claim kind live in ``scoring.FEATURES``, so changing a weight never means editing these lists.
"""

# Typographic quotes and apostrophes are the data these rules read, not typos.

from __future__ import annotations

import re
from collections.abc import Iterator

_BRACES = re.compile(r"\{([^{}]*)\}")

# Units after a small number word that make it a measured quantity ("trois ans", "two points"),
# as opposed to a count of people or things in a story ("ses deux associés").
UNITS = {
    "en": "years months weeks days hours minutes points times miles kilometers meters degrees "
    "percent dollars tons gallons acres",
    "fr": "ans années mois semaines jours heures minutes points fois kilomètres mètres degrés "
    "litres tonnes euros",
}
SMALL_NUMBERS = {
    "en": "two three four five six seven eight nine ten",
    "fr": "deux trois quatre cinq six sept huit neuf dix",
}

CUES: dict[str, dict[str, str]] = {
    "en": {
        "percentage": "percent percentage{,s} per_cent percentage_point{,s}",
        "currency": "dollar{,s} euro{,s} pounds sterling yen yuan bucks cents",
        "magnitude": "hundred{,s} thousand{,s} million{,s} billion{,s} trillion{,s} dozen{,s}",
        "number_word": "eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen "
        "nineteen twenty thirty forty fifty sixty seventy eighty ninety half halves third{,s} "
        "quarter{,s} fifth{,s} tenth{,s} twice doubled tripled quadrupled halved",
        "proportion": "half_of majority_of per_capita per_person a_year per_year a_day per_day "
        "a_month per_month per_hour out_of",
        "change": "increase{,d,s} decrease{,d,s} rise{,s} rose risen rising fell fall{,s} fallen "
        "falling grew grow{,s,n,th} drop{,ped,s} declin{e,ed,es,ing} jump{ed,s} surg{e,ed,es} "
        "soar{ed,ing} plung{e,ed} climb{ed,s} cut{,s} reduc{e,ed,es,tion} gain{,ed,s} "
        "spik{e,ed} shrank shrunk downgraded upgraded rais{ed,ing} lower{ed,ing} up_from down_from went_up gone_up went_down are_up is_up "
        "are_down is_down lost loss{,es} boost{,ed}",
        "comparison": "more_than less_than fewer_than higher_than lower_than compared_with "
        "compared_to as_much_as as_many_as times_more times_as than",
        "superlative": "highest lowest largest biggest smallest worst best fastest slowest "
        "record all-time ever never_before first_time the_only number_one the_first most least",
        "statistic": "rate{,s} unemployment inflation gdp deficit{,s} debt{,s} budget{,s} "
        "poll{,s} survey{,s} census statistic{,s} data figure{,s} study studies report{,s} "
        "analysis average median population rating{,s} tax taxes wage{,s} income{,s} job{,s} cost{,s} "
        "price{,s} spending revenue{,s} salary salaries premium{,s} economy crime{,s} "
        "murder{,s} poverty emissions funding insured uninsured",
        "source": "census_bureau cbo bls oecd imf world_health_organization federal_reserve "
        "gallup pew ipsos yougov labor_department department_of_labor national_academy nasa "
        "noaa world_bank eurostat fbi",
        "future": "will won ll going_to gonna shall",
        "forecast": "forecast{,s} projected projection{,s} predict{,ed,s,ion,ions} expected "
        "expects next_year next_month next_decade coming_years in_the_coming on_track "
        "anticipate{,d,s} likely",
        "causal": "because due_to caus{e,ed,es,ing} led_to lead_to leads_to leading_to result_of "
        "as_a_result resulted_in results_in thanks_to blam{e,ed,es} responsible_for linked_to "
        "driven_by fuel{ed,ing} therefore consequence{,s} contributed_to contribute_to "
        "effect_of impact_of trigger{ed,ing,s} killed kills",
        "legal": "law{,s} bill{,s} legislation legal illegal illegally unconstitutional "
        "constitution constitutional ban{,s,ned} regulation{,s} regulat{e,ed,ory} decree{,s} "
        "court{,s} ruled ruling statute{,s} mandatory require{,d,s} prohibit{,ed,s} permitted "
        "allowed fine{,d,s} penalt{y,ies} treaty treaties charter ordinance{,s} "
        "executive_order veto{,ed} signed_into amendment{,s} lawsuit sued sanction{,s} "
        "complied compliance",
        "first_person": "i me my mine myself",
        "personal": "husband wife son daughter kids children child father mother dad mom parents "
        "family neighbor neighbour street house grew born remember saw seen waited lived met "
        "worked home",
        "reported_speech": "said says told tells stated claimed claims argued argues noted notes "
        "added adds wrote writes tweeted announced announces insisted insists explained "
        "explains warned warns acknowledged admitted asserted contended maintained declared "
        "reported testified saying pointed_out",
        "attribution": "according_to",
        "vote": "vot{e,ed,es,ing} endorse{,d,s} abstained",
        "accusation": "accus{e,ed,es,ing} accusation{,s}",
        "approximation": "about roughly nearly almost around approximately some_estimated "
        "close_to more_or_less",
        "finding": "showed shows show_that found_that finds concluded concludes revealed reveals "
        "demonstrated confirmed confirms proved",
        "testimony": "recalled recounted sighed",
        "promise": "promis{e,ed,es} pledg{e,ed,es} vow{,ed,s} committed commitment",
        "subjective": "i_think i_believe i_feel in_my_opinion we_need we_must we_have_to "
        "we_should i_want i_hope let_s great wonderful beautiful terrible horrible disgrace "
        "disgraceful amazing tremendous incredible fantastic nice sad hope hopefully "
        "deserve{,s} unfair ridiculous shameful frankly honestly believe_me love",
        "hedge": "maybe perhaps possibly probably i_guess kind_of sort_of not_sure",
        "discourse": "good_evening good_morning thank_you thanks applause laughter crosstalk "
        "ladies_and_gentlemen let_me welcome next_question okay ok all_right please go_ahead",
        "absolute": "never always every everyone everybody nobody no_one none",
    },
    "fr": {
        "percentage": "pour_cent pourcentage{,s} pourcent point{,s}_de_pourcentage",
        "currency": "euro{,s} dollar{,s} franc{,s} livres_sterling centime{,s}",
        "magnitude": "cent{,s} mille million{,s} milliard{,s} billion{,s} millier{,s} "
        "centaine{,s} dizaine{,s} douzaine{,s} quinzaine vingtaine trentaine quarantaine "
        "cinquantaine soixantaine",
        "number_word": "onze douze treize quatorze quinze seize vingt{,s} trente quarante "
        "cinquante soixante septante octante nonante moitié tiers quart{,s} double{,s} triple "
        "doublé{,e,s,es} triplé{,e,s,es} quadruplé{,e,s} deux_fois trois_fois quatre_fois "
        "dix_fois",
        "proportion": "par_habitant par_an par_mois par_jour par_semaine par_tête la_moitié "
        "la_majorité majorité_des sur_deux sur_trois sur_quatre sur_cinq sur_dix",
        "change": "hausse{,s} baisse{,s} augment{e,é,ée,és,ées,ent,er,ait,aient,ation,ations} "
        "diminu{e,é,ée,és,ées,ent,er,tion} recul{,e,é,ent,er} progress{e,é,ent,ion} "
        "chut{e,é,ent,er} bondi bondit bond grimp{é,e,ent} flamb{é,ée} réduit réduite "
        "réduction{,s} divisé multiplié envol{ée,é} explos{é,ion} perdu gagné repli "
        "baiss{é,ée,és,ées,ent,er} passé_de passée_de atteint atteindre atteignait "
        "dépass{é,e,er,ent} creus{é,e,ent} relevé",
        "comparison": "plus_de moins_de plus_que moins_que par_rapport comparé{,e,s} "
        "supérieur{,e,s,es} inférieur{,e,s,es} davantage fois_plus fois_moins autant_que "
        "plus_du",
        "superlative": "record{,s} le_plus la_plus les_plus le_moins la_moins les_moins plus_bas "
        "plus_haut plus_forte plus_fort plus_élevé plus_élevée plus_faible jamais_été_aussi "
        "jamais_aussi plus_que_jamais "
        "la_première_fois le_premier_pays le_seul la_seule seul_pays historique inédit sans_précédent une_première "
        "meilleur{,e,s} pire{,s}",
        "statistic": "taux chômage inflation pib déficit{,s} dette{,s} budget{,s} budgétaire{,s} "
        "sondage{,s} enquête{,s} recensement statistique{,s} donnée{,s} chiffre{,s} étude{,s} "
        "rapport{,s} moyenne médian{,e} population impôt{,s} taxe{,s} salaire{,s} revenu{,s} "
        "emploi{,s} coût{,s} prix dépense{,s} recette{,s} croissance ménages production "
        "consommation fréquentation espérance densité effectifs nombre délinquance criminalité "
        "agressions cambriolages homicides pauvreté loyer{,s} tarif{,s} investissement{,s} "
        "économies facture{,s} cotisation{,s}",
        "source": "insee dares drees eurostat ocde fmi oms banque_de_france cour_des_comptes "
        "météo_france santé_publique_france ifop ipsos elabe odoxa opinionway giec "
        "france_stratégie rte cnrs inserm ademe assurance_maladie france_travail "
        "commission_européenne onu conseil_d_orientation haut_conseil",
        "future": "l_an_prochain l_année_prochaine prochaine{,s} prochain{,s} à_venir d_ici "
        "à_l_horizon",
        "forecast": "prévoit prévoient prévu{,e,s,es} prévision{,s} projection{,s} table_sur "
        "anticip{e,ent,é} devrait devraient pourrait pourraient risque_de objectif{,s} "
        "vise visent",
        "causal": "parce_que parce_qu à_cause en_raison grâce_à "
        "provoqu{é,e,ée,és,ées,er,ent} entraîn{é,e,ée,és,ées,er,ent} conduit_à a_permis "
        "permet_de dû_à due_à dus_à dues_à lié_à liée_à liés_à liées_à conséquence{,s} "
        "résultat_de le_résultat effet_de effets_de effet_sur effets_sur impact explique "
        "expliquent s_explique attribu{e,ent} du_fait faute_de suite_à sous_l_effet pouss{é,e} "
        "fait_baisser fait_grimper fait_bondir fait_fuir rend contribu{é,e} favoris{e,é,er} "
        "responsable{,s} causé cause",
        "legal": "loi{,s} projet_de_loi proposition_de_loi décret{,s} arrêté{,s} ordonnance{,s} "
        "constitution constitutionnel{,le} conseil_d_état tribunal tribunaux cour juge{,s} "
        "interdi{t,te,ts,tes,ction,ctions,re,sent,rait,raient} obligatoire{,s} obligation{,s} "
        "réglementation{,s} réglementé{,e,s} réglementaire{,s} règlement{,s} directive{,s} "
        "article amendement{,s} légal{,e} illégal{,e,es} légalement "
        "autoris{é,ée,és,ées,e,ent,ation} sanction{,s} amende{,s} "
        "condamn{é,ée,és,ées,ation} plafond{,s} législation législatif encadr{e,ement} "
        "en_vigueur dispositif réforme",
        "first_person": "je j moi mon ma mes",
        "personal": "mari femme fils fille enfants enfant père mère parents famille voisine "
        "voisin rue maison grandi né souviens souvenir vu cherche attends attendu travaille "
        "gagne bois sors habite",
        "reported_speech": "déclar{é,e} affirm{é,e,ent} assur{é,e,ent} indiqu{é,e} "
        "expliqu{é,e} annonc{é,e} précis{é,e} rappel{é,le,lent} soulign{é,e} ajout{é,e} "
        "estim{é,e,ent} reconnu reconnaît dénonc{é,e,ent} prévenu prévient averti avertit "
        "martel{é} martèle confi{é,e} insist{é,e} répond{,u} réagi réagit dit glissé glisse "
        "écrit admis admet racont{é,e} témoign{é,e} nuanc{e,é} plaid{é,e} soupir{e,é} "
        "s_agace s_inquiète s_indigne rétorqu{e,é} tranch{e,é} fait_valoir défend accus{e,é} "
        "lâch{e,é} argu{e,é} évoqu{e,é} selon_lui selon_elle",
        "attribution": "selon d_après",
        "vote": "a_voté ont_voté voté{,e,s,es} abstenu{,e,s} scrutin{,s} voix suffrages "
        "participation",
        "accusation": "accus{e,é,ée,és,ent,ait,ation,ations}",
        "approximation": "environ près_de presque quasiment approximativement autour_de "
        "pratiquement",
        "finding": "montr{e,é,ent}_que révèl{e,ent} révélé conclu conclut démontré prouvé "
        "confirm{e,é,ent} mis_en_évidence établi",
        # Verbs French reporting uses for accounts and feelings rather than assertions.
        "testimony": "témoign{e,é,ent} racont{e,é,ent} confi{e,é,ent} soupir{e,é} lâch{e,é} "
        "s_agace s_emporte s_inquiète s_indigne s_amuse",
        "promise": "promet promis{,e,es} promesse{,s} s_est_engagé s_engage engagement{,s}",
        "subjective": "je_pense je_crois à_mon_avis il_faut nous_devons on_doit j_espère "
        "espère espèrent souhait{e,ent} magnifique formidable{,s} honte scandale{,ux,use} "
        "injuste{,s} inacceptable insupportable belle beau terrible catastrophique incroyable "
        "bravo craignent craint inquiétude malaise colère impatience",
        "hedge": "peut_être sans_doute probablement il_semble semble semblent apparemment on_verra",
        "discourse": "bonsoir bonjour merci mesdames_et_messieurs applaudissements rires",
        "absolute": "jamais toujours tous toutes aucun aucune tout_le_monde",
    },
}

# A few words for the languages without full rules: enough to see percentages and magnitudes.
GENERIC_CUES: dict[str, str] = {
    "percentage": "prozent procent por_ciento por_cento per_cento porcentaje percentuale",
    "magnitude": "millionen milliarden millones milioni milhões miljoen miljard miliardi "
    "bilhões mil_millones",
    "currency": "euro euros dollar dollars",
}


def word_set(text: str) -> frozenset[str]:
    """The set of whitespace-separated words in ``text``: how word lists are written here."""
    return frozenset(text.split())


def expand(entries: str) -> Iterator[str]:
    """Yield every form an entry list stands for: braces expanded, one form per item."""
    for entry in entries.split():
        yield from _expand_one(entry)


def _expand_one(entry: str) -> Iterator[str]:
    match = _BRACES.search(entry)
    if match is None:
        yield entry
        return
    for option in match.group(1).split(","):
        yield from _expand_one(entry[: match.start()] + option + entry[match.end() :])
