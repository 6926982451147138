"""Which runs a standing order falls on, until when each can be changed, and the buyer's
changes.

A standing order is tied to one team and one of its pickup points. In each week (Monday
to Sunday) it falls on the team's first run that stops at that point (cancelled runs left
out); a fortnightly one only in the weeks an even number of weeks after its first week.
Runs past their cut-off count too, so the run of a week never changes once a run is over.

Each occurrence can be skipped, and the order paused, changed or stopped, until
``PLACE_BEFORE_CUTOFF`` before the run's cut-off: then ``placing`` places it (stock,
capacity and the households' share-out apply as for any order) and that occurrence is
fixed. Every change is refused with a sentence for the buyer, changing nothing.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from catalogue import units
from fulfilment.models import DeliveryRun, RunPickup
from shop.core import dates
from shop.standing.models import StandingLine, StandingOrder, StandingRun

Product = get_model("catalogue", "Product")
Selector = get_class("partner.strategy", "Selector")

PLACE_BEFORE_CUTOFF = datetime.timedelta(minutes=10)
SHOWN = 3  # the next occurrences the buyer sees
WEEKS_AHEAD = 8


class Refused(Exception):
    """The change cannot be made; ``message`` says why, in the buyer's language."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


def changes_until(run):
    """The moment an occurrence on ``run`` is fixed: it is placed from then on."""
    return run.cutoff - PLACE_BEFORE_CUTOFF


def monday(day):
    return day - datetime.timedelta(days=day.weekday())


def falls_in_week(standing, week_monday):
    if standing.frequency == StandingOrder.Frequency.WEEKLY:
        return True
    return ((week_monday - standing.first_week).days // 7) % 2 == 0


@dataclass
class Occurrence:
    """One run of a standing order as the buyer sees it."""

    standing: StandingOrder
    run: DeliveryRun
    stop: RunPickup
    row: StandingRun | None
    now: datetime.datetime

    @property
    def deadline(self):
        return changes_until(self.run)

    @property
    def is_fixed(self):
        return self.now >= self.deadline or (
            self.row is not None and self.row.state != StandingRun.State.SKIPPED
        )

    @property
    def before_start(self):
        """The standing order was set up after this run was fixed: it does not count."""
        return self.standing.created >= self.deadline

    @property
    def state(self):
        """skipped / placed / nothing / paused / stopped / placing / coming."""
        if self.row is not None:
            return self.row.state
        if self.standing.is_stopped:
            return "stopped"
        if self.standing.is_paused:
            return "paused"
        if self.now >= self.deadline:
            return "placing"
        return "coming"

    @property
    def state_label(self):
        return {
            "skipped": _("这一次不要"),
            "placed": _("已下单"),
            "nothing": _("没能下单"),
            "paused": _("暂停中，不下单"),
            "stopped": _("已停止"),
            "placing": _("正在下单"),
            "coming": _("将自动下单"),
        }[self.state]

    @property
    def notes(self):
        return note_texts(self.row) if self.row is not None else []

    @property
    def can_skip(self):
        return self.state == "coming"

    @property
    def can_unskip(self):
        return self.state == "skipped" and not self.is_fixed

    @property
    def run_label(self):
        return dates.day(self.run.date)

    @property
    def window_label(self):
        return self.stop.window_label

    @property
    def deadline_label(self):
        return dates.moment(self.deadline)


def _candidate_stops(standing, since):
    return (
        RunPickup.objects.filter(
            point_id=standing.point_id,
            run__team_id=standing.team_id,
            run__date__gte=since,
            run__date__lt=since + datetime.timedelta(weeks=WEEKS_AHEAD),
        )
        .exclude(run__status=DeliveryRun.Status.CANCELLED)
        .select_related("run", "point")
        .order_by("run__date", "run__departure_time", "run__pk")
    )


def runs_of(standing, stops):
    """The stops (``RunPickup``) ``standing`` falls on among ``stops`` (date order)."""
    chosen, weeks = [], set()
    for stop in stops:
        week = monday(stop.run.date)
        if week in weeks:
            continue
        weeks.add(week)
        if falls_in_week(standing, week):
            chosen.append(stop)
    return chosen


def occurrences(standing, now=None, limit=SHOWN):
    """The next ``limit`` occurrences of ``standing`` from today: runs already decided
    (placed, skipped) and those still to come, earliest first."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    stops = runs_of(standing, _candidate_stops(standing, monday(today)))
    rows = {
        row.run_id: row
        for row in standing.occurrences.filter(run_id__in=[s.run_id for s in stops]).select_related(
            "order"
        )
    }
    found = []
    for stop in stops:
        if stop.run.date < today:
            continue
        occurrence = Occurrence(standing, stop.run, stop, rows.get(stop.run_id), now)
        if occurrence.row is None and occurrence.before_start:
            continue
        found.append(occurrence)
        if len(found) == limit:
            break
    return found


def occurrence_on(standing, run, now=None):
    """The occurrence of ``standing`` on ``run``, or None when it does not fall on it."""
    now = now or timezone.now()
    stops = runs_of(standing, _candidate_stops(standing, monday(run.date)))
    for stop in stops:
        if stop.run_id == run.pk:
            row = standing.occurrences.filter(run=run).first()
            occurrence = Occurrence(standing, stop.run, stop, row, now)
            if row is None and occurrence.before_start:
                return None
            return occurrence
    return None


def note_texts(row):
    """What was short on ``row``'s run (``placing`` keeps it as numbers), in the active
    language."""
    products = Product.objects.in_bulk([note["product"] for note in row.notes])
    texts = []
    for note in row.notes:
        product = products.get(note["product"])
        if product is None:
            continue
        if note["got"]:
            texts.append(
                _("“%(title)s”要 %(wanted)s，这次只有 %(got)s。")
                % {
                    "title": product.get_title(),
                    "wanted": units.amount(note["wanted"], product),
                    "got": units.amount(note["got"], product),
                }
            )
        else:
            texts.append(
                _("“%(title)s”要 %(wanted)s，这次没有。")
                % {"title": product.get_title(), "wanted": units.amount(note["wanted"], product)}
            )
    return texts


# --- money as the buyer is shown it --------------------------------------------------


@dataclass
class Priced:
    line: StandingLine
    unit_price: Decimal | None
    total: Decimal | None

    @property
    def amount(self):
        return units.amount(self.line.quantity, self.line.product)


def priced_lines(standing):
    """Each line with today's price (the one a basket gets, ``partner.strategy``)."""
    strategy = Selector().strategy(user=standing.owner)
    priced = []
    for line in standing.lines.select_related("product"):
        info = strategy.fetch_for_product(line.product)
        price = info.price.incl_tax if info.price.exists else None
        priced.append(Priced(line, price, price * line.quantity if price is not None else None))
    return priced


def estimate(standing):
    """What one occurrence costs at today's prices: the goods, and pickup is free
    (``shipping.methods.PickupOnRun``). The placed order's money (``shop.order.money``)
    equals it when prices and stock have not changed."""
    return sum((p.total for p in priced_lines(standing) if p.total is not None), Decimal("0.00"))


# --- the buyer's changes ---------------------------------------------------------------


def _being_placed(standing, now):
    """A refusal when an occurrence is fixed but not placed yet: a change now could reach
    the order being placed."""
    for occurrence in occurrences(standing, now=now):
        run = occurrence.run
        open_run = run.status == DeliveryRun.Status.OPEN and run.cutoff > now
        if occurrence.row is None and now >= occurrence.deadline and open_run:
            return Refused(
                _("%(run)s 这一次已过修改时间（%(deadline)s），%(cutoff)s 截单后再改。")
                % {
                    "run": occurrence.run_label,
                    "deadline": occurrence.deadline_label,
                    "cutoff": dates.moment(run.cutoff),
                }
            )
    return None


def _not_stopped(standing):
    if standing.is_stopped:
        raise Refused(_("这个定期订单已经停止，不能再改。"))


def _locked(standing):
    return StandingOrder.objects.select_for_update().get(pk=standing.pk)


def skip(standing, run, now=None):
    """Leave ``run`` out once; refused after that occurrence's deadline."""
    now = now or timezone.now()
    with transaction.atomic():
        standing = _locked(standing)
        _not_stopped(standing)
        occurrence = occurrence_on(standing, run, now)
        if occurrence is None:
            raise Refused(_("这个定期订单不在这一趟车上。"))
        if occurrence.is_fixed:
            raise Refused(
                _("%(run)s 这一次已过修改时间（%(deadline)s），不能再跳过。")
                % {"run": occurrence.run_label, "deadline": occurrence.deadline_label}
            )
        StandingRun.objects.create(standing=standing, run=run, state=StandingRun.State.SKIPPED)
    return occurrence


def unskip(standing, run, now=None):
    """Take a skip back, until the occurrence's deadline."""
    now = now or timezone.now()
    with transaction.atomic():
        standing = _locked(standing)
        _not_stopped(standing)
        occurrence = occurrence_on(standing, run, now)
        if occurrence is None or occurrence.state != "skipped":
            raise Refused(_("这一次没有跳过。"))
        if now >= occurrence.deadline:
            raise Refused(
                _("%(run)s 这一次已过修改时间（%(deadline)s），不能再改。")
                % {"run": occurrence.run_label, "deadline": occurrence.deadline_label}
            )
        occurrence.row.delete()
    return occurrence


def set_status(standing, status, now=None):
    """Pause, resume or stop; refused while an occurrence is being placed."""
    now = now or timezone.now()
    with transaction.atomic():
        standing = _locked(standing)
        _not_stopped(standing)
        refusal = _being_placed(standing, now)
        if refusal:
            raise refusal
        if standing.status == status:
            return standing
        standing.status = status
        standing.save(update_fields=["status"])
    return standing


def check_quantities(products_and_quantities):
    """Sentences about quantities the shop cannot take (not a whole number of the product's
    step, below zero); empty when all are fine."""
    problems = []
    for product, quantity in products_and_quantities:
        step = product.order_step or 1
        if quantity < 0 or quantity % step:
            problems.append(
                _("“%(title)s”要按 %(step)s 的倍数订。")
                % {"title": product.get_title(), "step": step}
            )
    return problems


def change_quantities(standing, quantities, now=None):
    """Set the lines' quantities (``{line id: quantity}``; 0 takes a line out). At least
    one line stays: to buy nothing, stop the order."""
    now = now or timezone.now()
    with transaction.atomic():
        standing = _locked(standing)
        _not_stopped(standing)
        refusal = _being_placed(standing, now)
        if refusal:
            raise refusal
        lines = {line.pk: line for line in standing.lines.select_related("product")}
        if set(quantities) - set(lines):
            raise Refused(_("这些商品不在您的定期订单里。"))
        problems = check_quantities(
            (lines[pk].product, quantity) for pk, quantity in quantities.items()
        )
        if problems:
            raise Refused(" ".join(problems))
        if all(quantities.get(pk, line.quantity) == 0 for pk, line in lines.items()):
            raise Refused(_("至少要留一样商品；什么都不要了，请点“停止定期订单”。"))
        for pk, quantity in quantities.items():
            if quantity == 0:
                lines[pk].delete()
            elif quantity != lines[pk].quantity:
                lines[pk].quantity = quantity
                lines[pk].save(update_fields=["quantity"])
    return standing


def team_of(product):
    record = product.stockrecords.order_by("pk").first()
    return record.partner if record is not None else None


def start(
    owner,
    items,
    frequency,
    point,
    name,
    phone,
    language,
    now=None,
    payment=StandingOrder.Payment.ON_PICKUP,
):
    """Set up a standing order for ``items`` ([(product, quantity)], one team's) collected
    at ``point``, each order paid as ``payment`` says; the order's first week is this
    week."""
    now = now or timezone.now()
    items = [(product, quantity) for product, quantity in items if quantity]
    if not items:
        raise Refused(_("请至少选一样商品。"))
    teams = {team_of(product) for product, _quantity in items}
    if None in teams or len(teams) != 1:
        raise Refused(_("一个定期订单只能订同一个工作队的商品，请分开设定。"))
    team = teams.pop()
    if point.team_id != team.pk or not point.is_active:
        raise Refused(_("请选这个工作队的自提点。"))
    problems = check_quantities(items)
    if problems:
        raise Refused(" ".join(problems))
    # Every other week counts from the week of the first run still open to changes.
    first = (
        RunPickup.objects.filter(
            point=point,
            run__team=team,
            run__status=DeliveryRun.Status.OPEN,
            run__cutoff__gt=now + PLACE_BEFORE_CUTOFF,
        )
        .select_related("run")
        .order_by("run__date", "run__departure_time")
        .first()
    )
    with transaction.atomic():
        standing = StandingOrder.objects.create(
            owner=owner,
            team=team,
            point=point,
            frequency=frequency,
            first_week=monday(first.run.date if first else timezone.localdate(now)),
            name=name,
            phone=phone,
            language=language,
            payment=payment,
        )
        merged = {}
        for product, quantity in items:
            merged[product] = merged.get(product, 0) + quantity
        StandingLine.objects.bulk_create(
            StandingLine(standing=standing, product=product, quantity=quantity)
            for product, quantity in merged.items()
        )
    return standing
