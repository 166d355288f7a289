"""ipywidgets screens over the CRM facade: entry forms, list browsers, duplicate and fix review.

Widgets hold no state of their own beyond the screen: they call the same methods a
notebook user calls (``crm.contacts.add / update / clone``, ``crm.contacts.filter(...)``
and its bulk verbs, ``crm.contacts.merge / mark_same / mark_different``, ``crm.undo``), so
everything a form can do is also scriptable, and every save, mass action, merge or review
decision is one history batch that ``crm.undo`` reverts.

>>> import crmkit as ck
>>> from crmkit.widgets import ContactForm, ContactBrowser
>>> crm = ck.open(user="Nicole Bertrand")
>>> form = ContactForm(crm, lang="fr")          # display(form) in a notebook
>>> form.inputs["last_name"].value = "Blou"
>>> form.save() == form.record_id
True
>>> ContactBrowser(crm).count
1
>>> crm.close()

- :class:`ContactForm` / :class:`AccountForm` ``(crm, lang="en"|"fr"|"zh", record_id=None)``:
  the catalog's fields by section, required fields starred (the database's
  ``settings.required_fields``), messages next to each field as it is typed and on save,
  an account combobox that offers to create a missing account, the current user as
  default owner, likely duplicates while the name and email are typed (when
  ``crm.contacts.similar`` exists), Save, Save & New, Clone, New and Undo; below the
  fields a *Notes & tasks* tab (notes, open and done tasks; add a note, add a task, mark
  one done, each through ``crm.activities`` and undone by Undo) and a *Timeline* tab
  (``crm.<kind>.timeline(id)`` with a filter on the kinds of events).
  Scriptable: ``form.inputs[name]``, ``form.save()``, ``form.save_and_new()``,
  ``form.clone()``, ``form.undo()``, ``form.load(id)``, ``form.new()``, ``form.errors``,
  ``form.warnings``, ``form.record_id``, ``form.values()``, ``form.activities``
  (``inputs``, ``add_note()``, ``add_task()``, ``complete()``), ``form.timeline``
  (``kinds``, ``view``).
- :class:`ContactBrowser` / :class:`AccountBrowser` ``(crm, lang=None, page_size=25)``:
  filters (search; owners, sector, revenue band, headcount band as tick lists that name
  what is picked; active, archived), a paged table with tick boxes, sorted as the
  language sorts text (case and accents ignored, Chinese by pinyin), the columns ticked
  under "Columns" (and "Wrap long text"), select page / all matching, and mass actions
  (reassign, tag, subscribe, export XLSX / vCard, deactivate, delete, undo) that show
  their ``BulkReport``. Scriptable: ``browser.filters[name]``, ``browser.count``,
  ``browser.page``, ``browser.select(*ids)``, ``browser.select_all()``,
  ``browser.selected_ids``, ``browser.column_picker``, ``browser.shown_columns``,
  ``browser.reassign()`` ..., ``browser.report``.
- :class:`DuplicateReview` ``(crm, report, lang="en", kind=None)``: the pairs of a
  ``find_duplicates()`` report one at a time, most probable first (pairs already decided
  or whose records are gone are left out): the two records side by side with their
  differences marked, the probability and the per-field explanation; Same, Not the same
  (never proposed again), Skip, and Merge with the survivorship rule and the record kept,
  then the ``MergeReport`` and Undo. Scriptable: ``review.pair``, ``review.position``,
  ``review.total``, ``review.pairs`` (the queue), ``review.same()``, ``review.different()``,
  ``review.merge(rule=..., survivor="left"|"right"|"rule")``, ``review.skip()``,
  ``review.undo()``, ``review.status``, ``review.merge_report``.
- :class:`FixesReview` ``(crm, fixes=None, lang=None, kind=None, page_size=20)``: the
  proposals of ``crm.<kind>.suggest_fixes()`` grouped by rule and field with counts, each
  group tickable as a whole, a paged table (record, field, current → proposed, rule) whose
  rows can be unticked, a filter by rule and field and a search; "Apply ticked" writes
  exactly the ticked proposals through ``Fixes.apply`` (one batch: its ``BulkReport`` and
  Undo). Scriptable: ``review.groups``, ``review.tick(*ids, rule=, field=)``,
  ``review.untick(...)``, ``review.ticked`` (pandas), ``review.proposals``,
  ``review.apply()``, ``review.undo()``, ``review.report``, ``review.stale``.
- :class:`VariantsReview` ``(crm, variants | kind, field=None, lang=None, method=None)``:
  the clusters of ``crm.<kind>.variants(field)`` as OpenRefine's "Cluster and edit" shows
  them: per cluster a "merge?" tick box, the variants with their counts (a click makes
  one the new value), the method, and the new value to edit; pages, a method selector
  that clusters again, "Merge ticked" (one batch through ``variants.replace``, its
  ``BulkReport`` shown; merged clusters leave the list) and Undo. Scriptable:
  ``review.clusters`` (``clusters_pl``), ``review.tick(1, 3)``, ``review.untick(...)``,
  ``review.set_value(2, "...")``, ``review.recluster("phonetic")``, ``review.apply()``,
  ``review.undo()``, ``review.report``, ``review.status``, ``review.page``.

Nothing is fetched from the internet: no icons, fonts or scripts beyond what ipywidgets
ships.

CSS classes
-----------
Stable class names for tests and style sheets (``widget.add_class``); ``<key>`` is a field
name, or ``left_company`` for the contact's inverted ``active`` flag.

Forms:

- ``crmkit-form``, and ``crmkit-contact-form`` or ``crmkit-account-form``: the form
- ``crmkit-title``: its title ("New contact", "Contact 12 — Hélène Blou")
- ``crmkit-section`` and ``crmkit-section-<group>``: a section (identity, company,
  contact, address, social, flags, other)
- ``crmkit-field`` and ``crmkit-field-<key>``: a field's container (label, input,
  message); ``crmkit-required`` when the database requires it
- ``crmkit-label-<key>``: its label (a red ``*`` when required)
- ``crmkit-input-<key>``: its input widget
- ``crmkit-error-<key>``: its message line (error, warning or note)
- ``crmkit-duplicates``: the likely-duplicates panel; each line ``crmkit-duplicate``
  with a button ``crmkit-duplicate-open-<id>``
- ``crmkit-buttons``: the button bar, holding ``crmkit-save``, ``crmkit-save-new``,
  ``crmkit-clone``, ``crmkit-new`` and ``crmkit-undo``
- ``crmkit-status``: the status line ("Saved contact 12 (batch 34)")
- ``crmkit-around``: the tabs below the fields, *Notes & tasks* and *Timeline*
- ``crmkit-activities``: the Notes & tasks tab; ``crmkit-activities-list`` the notes and
  tasks (tables ``crmkit-tasks-table`` and ``crmkit-notes-table``, rows ``crmkit-note``
  and ``crmkit-task crmkit-task-<status>``); inputs ``crmkit-activity-<key>`` for note,
  subject, type, due_date, due_time, priority, owner, task (the open task to complete)
  and report; buttons ``crmkit-add-note``, ``crmkit-add-task``, ``crmkit-complete``;
  ``crmkit-activities-status``: what the last action did
- ``crmkit-timeline-panel``: the Timeline tab; ``crmkit-timeline-kinds`` its tick list
  of kinds, ``crmkit-timeline-with-contacts`` (accounts), ``crmkit-timeline-view`` the
  timeline

Browsers:

- ``crmkit-browser``, and ``crmkit-contact-browser`` or ``crmkit-account-browser``
- ``crmkit-filters``: the filter panel; ``crmkit-search`` (also
  ``crmkit-filter-search``) and ``crmkit-filter-<name>`` for owner, sector,
  revenue_band, headcount_band, active, archived; ``crmkit-sort``: the order
- ``crmkit-checklist``: a tick list (owner, sector, band filters, "Reassign to", the
  columns); ``crmkit-picked`` its summary line ("2 selected: ...", count in
  ``crmkit-picked-count``), ``crmkit-pick-option`` each tick box, ``crmkit-pick-clear``
  its Clear button
- ``crmkit-columns``: the collapsible "Columns" panel; ``crmkit-column-picker`` its tick
  list; ``crmkit-wrap``: "Wrap long text"
- ``crmkit-count``: how many records match; ``crmkit-selected-count``: how many ticked
- ``crmkit-select-all``, ``crmkit-select-none``: tick every match, untick everything
- ``crmkit-table``: the table; ``crmkit-select-page``: its header tick box; each line
  ``crmkit-row``; ``crmkit-row-select-<id>``: the tick box of record ``<id>``
- ``crmkit-page``, ``crmkit-page-previous``, ``crmkit-page-next``: paging
- ``crmkit-actions``: the mass actions: ``crmkit-reassign-to`` and
  ``crmkit-action-reassign``; ``crmkit-tag-name`` and ``crmkit-action-tag``;
  ``crmkit-list-name`` and ``crmkit-action-subscribe`` (contacts);
  ``crmkit-export-path``, ``crmkit-action-export-xlsx`` and ``crmkit-action-export-vcf``
  (contacts); ``crmkit-action-deactivate``; ``crmkit-action-delete`` then
  ``crmkit-action-delete-confirm`` or ``crmkit-action-delete-cancel``;
  ``crmkit-action-undo``
- ``crmkit-bulk-report``: what the last mass action did (its ``BulkReport``)

Duplicate review:

- ``crmkit-review``, and ``crmkit-review-contacts`` or ``crmkit-review-accounts``
- ``crmkit-review-progress``: "Pair 3 of 12" (``crmkit-review-position``) and the bar
  (``crmkit-review-progress-bar``); ``crmkit-review-probability``: the match probability
- ``crmkit-review-pair``: the side-by-side table; in it, ``crmkit-review-left`` and
  ``crmkit-review-right`` are the cells of each record, each line is
  ``crmkit-review-row`` and ``crmkit-review-row-<field>``, with ``crmkit-review-differs``
  when the two values differ and ``crmkit-review-one-side`` when only one is filled
- ``crmkit-review-explanation``: why the pair was proposed, one ``crmkit-review-reason``
  line per compared field (level, weight in bits and a bar)
- ``crmkit-review-same``, ``crmkit-review-different``, ``crmkit-review-skip``: the answers
- ``crmkit-review-rule`` (recent, complete, oldest) and ``crmkit-review-survivor`` (left,
  right, by the rule): the survivorship choice; ``crmkit-review-merge``: Merge;
  ``crmkit-review-undo``: undo the last merge or decision
- ``crmkit-review-status``: what the last answer did; ``crmkit-review-merge-report``: the
  last merge's ``MergeReport``

Review of suggested fixes:

- ``crmkit-fixes-review``, and ``crmkit-fixes-review-contacts`` or
  ``crmkit-fixes-review-accounts``; ``crmkit-fixes-summary``: how many proposed, ticked
- ``crmkit-fixes-groups``: the groups; each ``crmkit-fixes-group`` and
  ``crmkit-fixes-group-<rule>-<field>`` (a tick box)
- ``crmkit-fixes-filters``: ``crmkit-fixes-filter-rule``, ``crmkit-fixes-filter-field``
  and ``crmkit-fixes-search``; ``crmkit-fixes-shown`` how many they keep, with
  ``crmkit-fixes-tick-shown`` and ``crmkit-fixes-untick-shown``
- ``crmkit-fixes-table``: the table; each line ``crmkit-fixes-row``, its tick box
  ``crmkit-fixes-tick-<id>-<field>``, its values ``crmkit-fixes-current`` and
  ``crmkit-fixes-proposed``; ``crmkit-fixes-empty``: the note when no line is left
- ``crmkit-fixes-page``, ``crmkit-fixes-page-previous``, ``crmkit-fixes-page-next``: paging
- ``crmkit-fixes-apply``, ``crmkit-fixes-undo``; ``crmkit-fixes-status``: what the last
  apply or undo did; ``crmkit-bulk-report``: the last apply's ``BulkReport``

Spelling variants review:

- ``crmkit-variants-review``, and ``crmkit-variants-review-contacts`` or
  ``crmkit-variants-review-accounts``; ``crmkit-variants-title``;
  ``crmkit-variants-method``: the method selector; ``crmkit-variants-summary``: how many
  clusters, values and records
- ``crmkit-variants-headings``, ``crmkit-variants-rows``: the list; each line
  ``crmkit-variants-row`` and ``crmkit-variants-row-<number>``, holding
  ``crmkit-variants-tick`` (merge?), ``crmkit-variants-values`` (a button
  ``crmkit-variants-value`` per variant), ``crmkit-variants-count``,
  ``crmkit-variants-found-by`` and ``crmkit-variants-new-value``
- ``crmkit-variants-paging``: ``crmkit-variants-page-previous``, ``crmkit-variants-page``,
  ``crmkit-variants-page-next``
- ``crmkit-variants-actions``: ``crmkit-variants-tick-page``, ``crmkit-variants-untick``,
  ``crmkit-variants-ticked`` (how many), ``crmkit-variants-merge``, ``crmkit-variants-undo``
- ``crmkit-variants-status``: what the last action did; ``crmkit-variants-report``: the
  last merge's ``BulkReport``
"""

from crmkit.widgets._browser import AccountBrowser, ContactBrowser
from crmkit.widgets._fixes_review import FixesReview
from crmkit.widgets._form import AccountForm, ContactForm
from crmkit.widgets._review import DuplicateReview
from crmkit.widgets._variants_review import VariantsReview

__all__ = [
    "AccountBrowser",
    "AccountForm",
    "ContactBrowser",
    "ContactForm",
    "DuplicateReview",
    "FixesReview",
    "VariantsReview",
]
