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

registry.category("web_tour.tours").add("sfa_team_dashboard_tour", {
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
            content: "Open the Team Dashboard",
            trigger: ".dropdown-item[data-menu-xmlid='sfa_performance.menu_sfa_performance_dashboard']",
            run: "click",
        },
        {
            content: "It opens on the last complete month",
            trigger: ".o_searchview_facet:contains('Last Month')",
        },
        {
            content: "The manager's card rolls up the team's won deals",
            trigger: ".o_kanban_record:contains('Tour Manager') .o_sfa_team:contains('Team of 2'):contains('1,000')",
        },
        {
            content: "A rep's card names the period, without a team",
            trigger: ".o_kanban_record:contains('Tour Rep One') .o_sfa_period:not(:contains('to date'))",
        },
        {
            content: "Open the search options",
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Remove last month",
            trigger: ".o_filter_menu .o_menu_item:contains('Last Month')",
            run: "click",
        },
        {
            content: "Pick the year under way",
            trigger: ".o_filter_menu .o_menu_item:contains('This Year')",
            run: "click",
        },
        {
            content: "The cards follow",
            trigger: ".o_kanban_record:contains('Tour Rep One') .o_sfa_period:contains('to date')",
        },
    ],
});

registry.category("web_tour.tours").add("sfa_spreadsheet_dashboard_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Dashboards app",
            trigger: ".o_app[data-menu-xmlid='spreadsheet_dashboard.spreadsheet_dashboard_menu_root']",
            run: "click",
        },
        {
            content: "Open the Sales Force dashboard",
            trigger: ".o_search_panel_category_value .o_dashboard_name:contains('Sales Force')",
            run: "click",
        },
        {
            content: "Its charts are drawn",
            trigger: ".o-spreadsheet .o-figure canvas",
        },
    ],
});
