import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sfa_action_tour", {
    steps: () => [
        {
            content: "Plan an action from the opportunity",
            trigger: ".o_form_view button[name='action_sfa_plan_action']",
            run: "click",
        },
        {
            content: "Choose the Visit type",
            trigger: ".modal .o_field_widget[name='action_type_id'] input",
            run: "edit Visit",
        },
        {
            content: "Pick it in the list",
            trigger: ".o-autocomplete--dropdown-item .dropdown-item:contains('Visit')",
            run: "click",
        },
        {
            content: "The customer comes from the opportunity",
            trigger: ".modal .o_field_widget[name='partner_id'] input:value('Tour Customer')",
        },
        {
            content: "Save the visit",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The dialog is closed and the deal counts one action",
            trigger: "body:not(:has(.modal)) .o_form_view button[name='action_sfa_view_actions'] .o_stat_value:contains('1')",
        },
        {
            content: "Open the Sales Force menu",
            trigger: ".dropdown-toggle[data-menu-xmlid='sfa_base.menu_sfa_root']",
            run: "click",
        },
        {
            content: "Open the schedule",
            trigger: ".dropdown-item[data-menu-xmlid='sfa_pipeline.menu_sfa_action']",
            run: "click",
        },
        {
            content: "The schedule opens on the week",
            trigger: ".o_calendar_view .o_current_week",
        },
        {
            content: "Open the visit from the week view",
            trigger: ".o_calendar_view .fc-event:contains('Visit: Tour Customer')",
            run: "click",
        },
        {
            content: "Edit it from the popover",
            trigger: ".o_cw_popover .o_cw_popover_edit",
            run: "click",
        },
        {
            content: "Describe the outcome",
            trigger: ".o_form_view .o_field_widget[name='outcome'] textarea",
            run: "edit Customer agreed to a two-week trial",
        },
        {
            content: "Open the result choices",
            trigger: ".o_form_view .o_field_widget[name='result'] .o_select_menu .dropdown-toggle, .o_form_view .o_field_widget[name='result'] .o_select_menu input",
            run: "click",
        },
        {
            content: "The result was positive",
            trigger: ".o_select_menu_menu .o_select_menu_item:contains('Positive')",
            run: "click",
        },
        {
            content: "Mark the visit done",
            trigger: ".o_form_view button[name='action_done']",
            run: "click",
        },
        {
            content: "The visit is done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value='done']",
        },
    ],
});
