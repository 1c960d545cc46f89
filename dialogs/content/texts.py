"""The fixed texts of one language: the YAML schema, and which placeholders each may use."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from dialogs.content.flows import Strict
from dialogs.engine.events import CommandName

# --- the YAML schema of the fixed texts -----------------------------------------------------


# A file name as the client sees it, without extension; safe on every system.
FileStem = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]


class UiTexts(Strict):
    """Sentences and button labels outside any flow; code reads them by attribute."""

    welcome: str
    consent_yes: str
    consent_no: str
    declined: str
    already_consented: str
    choose_language: str
    language_set: str
    language_already: str
    skip: str
    dont_know: str
    back: str
    pause: str
    done: str
    resume: str
    to_menu: str
    paused: str
    welcome_back: str
    text_not_saved: str
    text_no_question: str
    held: str
    held_yes: str
    held_no: str
    held_left: str
    replace_unknown: str
    replace_skip: str
    keep_answer: str
    use_unknown: str
    remove_answer: str
    dont_know_typed: tuple[str, ...]  # typed words that count as pressing "weet ik niet"
    menu_title: str
    where_nothing: str
    menu_overview: str
    menu_language: str
    menu_help: str
    help: str
    unreadable: str
    unknown_command: str
    edited: str
    stale_button: str
    first_question: str
    previous_answer: str
    status_skipped: str
    status_unknown: str
    status_empty: str
    selected_mark: str
    choose_at_least: str
    choose_at_most: str
    saved: str
    overview_empty: str
    overview_not_yet: str
    edit_pick_topic: str
    edit_pick_question: str
    private_only: str
    error: str
    waiting_for_database: str
    menu_plan: str
    required: str
    choose_button: str
    no_goals: str
    date_today: str
    date_tomorrow: str
    date_week: str
    moment_due_morning: str
    moment_eve_evening: str
    moment_tomorrow: str
    moment_none: str
    confirm_value: str
    confirm_quiet: str
    yes: str
    no: str
    date_not_understood: str
    moment_not_understood: str
    date_in_past: str
    date_too_far: str
    moment_in_past: str
    plan_title: str
    plan_empty: str
    plan_goal: str
    goal_status_reached: str
    goal_status_dropped: str
    plan_why: str
    plan_step: str
    plan_step_with: str
    plan_step_counsellor: str
    plan_step_done_on: str
    plan_step_due: str
    plan_step_button: str
    plan_new_goal: str
    goal_new_step: str
    goal_reached: str
    goal_drop: str
    to_plan: str
    step_done: str
    step_change: str
    step_postpone: str
    step_drop: str
    change_pick: str
    confirm_drop_step: str
    confirm_drop_goal: str
    confirm_reach_goal: str
    confirm_yes: str
    confirm_no: str
    step_dropped: str
    goal_marked_reached: str
    goal_dropped: str
    reminder: str
    reminder_follow_up: str
    reminder_done: str
    reminder_later: str
    reminder_failed: str
    step_celebrate: str
    step_closed: str
    reminders_missed: str
    unselected_mark: str
    section_strengths: str
    section_plan: str
    section_reflections: str
    shares_nothing: str
    with_team: str
    invitation_intro: str
    invitation: str
    invitation_accept: str
    invitation_decline: str
    invitation_accepted: str
    link_confirmed: str
    link_refused: str
    invitation_declined: str
    code_wrong: str
    code_expired: str
    code_used: str
    code_slow_down: str
    no_counsellor: str
    have_code: str
    code_prompt: str
    desk_only: str
    sharing: str
    sharing_pick: str
    sharing_end: str
    confirm_unlink: str
    unlinked: str
    who_saw: str
    who_saw_none: str
    look_line: str
    look_view: str
    look_export: str
    look_digest: str
    my_data: str
    my_data_title: str
    my_data_intro: str
    my_data_none: str
    my_data_parts: dict[str, str]  # a heading per part of the export (table), by its name
    confirm_forget: str
    forget_yes: str
    forget_no: str
    forgotten: str
    crisis: str
    crisis_alert: str
    crisis_alerted: str
    crisis_alert_failed: str
    crisis_not_saved: str
    crisis_save: str
    section_resources: str
    goal_ask_help: str
    ask_help_step: str
    resources_title: str
    resources_intro: str
    resources_empty: str
    resource_for_goal: str
    resource_add: str
    resource_remove: str
    resource_pick: str
    confirm_drop_resource: str
    resource_removed: str
    resources_map: str
    network_title: str
    network_center: str
    network_empty: str
    network_caption: str
    # File names the client sees (without extension): letters, digits and dashes only.
    my_data_file: FileStem
    network_map_file: FileStem
    network_none: str


class CounsellorTexts(Strict):
    """What the bot says to counsellors: the desk, summaries, the digest, client news."""

    welcome: str
    inactive: str
    invitation: str
    invitation_for: str
    clients_none: str
    clients_title: str
    client_line: str
    client_plan: str
    client_plan_hidden: str
    client_messages: str
    export_button: str
    pick_export: str
    no_access: str
    export_caption: str
    client_linked: str
    client_opened: str
    client_opened_unnamed: str
    opener_yes: str
    opener_no: str
    opener_refused: str
    opener_gone: str
    client_declined: str
    client_sharing: str
    client_unlinked: str
    client_message: str
    client_call: str
    summary_title: str
    summary_meta: str
    summary_shared: str
    summary_last_look: str
    summary_first_look: str
    new_mark: str
    not_shared: str
    nothing_yet: str
    goals_title: str
    goal_line: str
    reminders_title: str
    reminders_counts: str
    reminder_line: str
    reminder_sent: str
    reminder_answered: str
    reminder_missed: str
    reminder_paused: str
    reminder_scheduled: str
    follow_up: str
    reflection_title: str
    reflection_about: str
    messages_title: str
    message_call: str
    message_crisis: str
    digest_title: str
    digest_intro: str
    digest_nothing: str
    digest_quiet: str
    digest_done: str
    digest_missed: str
    digest_goals: str
    digest_answers: str
    digest_reflections: str
    digest_messages: str
    client_crisis: str
    client_left: str
    resources_goal: str
    resources_goal_number: str
    resources_other: str
    resource_line: str
    resource_help: str
    goal_reference: str
    goal_reference_text: str
    hints_title: str
    hint_no_personal: str
    hint_only_professional: str
    hint_goal_nobody: str
    hint_all_far: str
    hint_past_unused: str
    map_title: str
    map_caption: str
    digest_resources: str


class CommandText(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,32}$")]
    description: Annotated[str, Field(min_length=1, max_length=256)]


class TextsFile(Strict):
    language_name: str
    ui: UiTexts
    counsellor: CounsellorTexts
    commands: dict[CommandName, CommandText]
    flows: dict[str, Any]

    @model_validator(mode="after")
    def _every_command(self) -> TextsFile:
        missing = [name.value for name in CommandName if name not in self.commands]
        if missing:
            raise ValueError(f"commands without text: {', '.join(missing)}")
        return self


# Texts that are filled in with values, and the names they may use.
UI_PLACEHOLDERS = {
    "welcome_back": {"where"},
    "held": {"where", "question", "text"},
    "replace_unknown": {"answer"},
    "replace_skip": {"answer"},
    "menu_title": {"where"},
    "previous_answer": {"answer"},
    "choose_at_least": {"min"},
    "choose_at_most": {"max"},
    "edit_pick_question": {"topic"},
    "overview_not_yet": {"topics"},
    "confirm_value": {"value"},
    "date_too_far": {"years"},
    "confirm_quiet": {"value"},
    "plan_goal": {"number", "text"},
    "plan_why": {"why"},
    "plan_step": {"number", "text"},
    "plan_step_with": {"name"},
    "plan_step_done_on": {"date"},
    "plan_step_due": {"date"},
    "plan_step_button": {"number"},
    "change_pick": {"step"},
    "confirm_drop_step": {"number", "text"},
    "confirm_drop_goal": {"number", "text"},
    "confirm_reach_goal": {"number", "text"},
    "step_dropped": {"number"},
    "goal_marked_reached": {"number"},
    "goal_dropped": {"number"},
    "reminder": {"step", "goal"},
    "reminder_follow_up": {"step", "goal"},
    "step_celebrate": {"step"},
    "reminders_missed": {"steps"},
    "with_team": {"name", "team"},
    "invitation_intro": {"counsellor"},
    "invitation": {"counsellor"},
    "invitation_accepted": {"counsellor", "sections"},
    "link_confirmed": {"counsellor"},
    "link_refused": {"counsellor"},
    "invitation_declined": {"counsellor"},
    "code_slow_down": {"minutes"},
    "sharing": {"counsellor"},
    "confirm_unlink": {"counsellor"},
    "unlinked": {"counsellor"},
    "who_saw": {"looks"},
    "look_line": {"when", "counsellor", "kind", "sections"},
    "crisis_alert": {"counsellor"},
    "crisis_alerted": {"counsellor"},
    "crisis_alert_failed": {"counsellor"},
    "ask_help_step": {"name", "help"},
    "resource_for_goal": {"number"},
    "confirm_drop_resource": {"name"},
    "resource_removed": {"name"},
}
COUNSELLOR_PLACEHOLDERS = {
    "welcome": {"name"},
    "invitation": {"label", "link", "code", "until"},
    "invitation_for": {"label"},
    "client_line": {"name", "last"},
    "client_plan": {"open", "overdue"},
    "client_messages": {"count"},
    "export_caption": {"name", "date"},
    "client_linked": {"name", "sections"},
    "client_opened": {"opener", "name"},
    "client_opened_unnamed": {"opener"},
    "client_declined": {"name"},
    "client_sharing": {"name", "sections"},
    "client_unlinked": {"name"},
    "client_message": {"name", "text"},
    "client_call": {"name", "text"},
    "summary_title": {"name"},
    "summary_meta": {"number", "since", "last"},
    "summary_shared": {"sections"},
    "summary_last_look": {"when", "mark"},
    "goal_line": {"number", "text", "status"},
    "reminders_counts": {"sent", "answered", "missed"},
    "reminder_line": {"when", "step", "status"},
    "reflection_title": {"number", "date"},
    "reflection_about": {"text"},
    "digest_title": {"start", "end"},
    "digest_done": {"steps"},
    "digest_missed": {"steps"},
    "digest_goals": {"count"},
    "digest_answers": {"count"},
    "digest_reflections": {"count"},
    "digest_messages": {"count"},
    "client_crisis": {"name"},
    "client_left": {"name"},
    "resources_goal": {"number", "text"},
    "resources_goal_number": {"number"},
    "resource_line": {"kind", "closeness"},
    "resource_help": {"help"},
    "goal_reference": {"number"},
    "goal_reference_text": {"number", "text"},
    "hint_only_professional": {"goal"},
    "hint_goal_nobody": {"goal"},
    "hint_past_unused": {"domain"},
    "map_title": {"name"},
    "map_caption": {"name"},
    "digest_resources": {"count"},
}
PROGRESS_PLACEHOLDERS = {"number", "total", "name"}
