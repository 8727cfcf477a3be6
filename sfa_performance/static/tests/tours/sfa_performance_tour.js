import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("sfa_scorecard_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open CRM",
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            run: "click",
        },
        {
            content: "Open Sales Force",
            trigger: ".dropdown-toggle[data-menu-xmlid='sfa_base.menu_sfa_root']",
            run: "click",
        },
        {
            content: "Compute the month's scorecards",
            trigger: ".dropdown-item[data-menu-xmlid='sfa_performance.menu_sfa_scorecard_generate']",
            run: "click",
        },
        {
            content: "The team below the manager is proposed",
            trigger: ".modal .o_field_widget[name='user_ids'] .o_tag:contains('Tour Rep Two')",
        },
        {
            content: "Compute",
            trigger: ".modal button[name='action_apply']",
            run: "click",
        },
        {
            content: "Open the first rep's scorecard",
            trigger: ".o_list_view .o_data_row:contains('Tour Rep One') td.o_data_cell:first",
            run: "click",
        },
        {
            content: "Its KPIs are measured",
            trigger: ".o_form_view .o_field_widget[name='line_ids'] .o_data_row:contains('Won Revenue')",
        },
        {
            content: "Comment on it",
            trigger: ".o_field_widget[name='comment'] .odoo-editor-editable",
            run: "editor Great first deal, now more visits.",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Mark it reviewed",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_review']",
            run: "click",
        },
        {
            content: "Reviewed",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Reviewed')",
        },
        {
            content: "Back to the team",
            trigger: ".o_breadcrumb a:contains('Scorecards')",
            run: "click",
        },
        {
            content: "Select the whole team",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Export the team sheet",
            trigger: "button[name='action_export_xlsx']",
            run: "click",
        },
        {
            content: "The list is still there",
            trigger: ".o_list_view .o_data_row:contains('Tour Rep Two')",
        },
    ],
});
