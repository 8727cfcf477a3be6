import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("sfa_analysis_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open CRM",
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            run: "click",
        },
        {
            content: "Open Reporting",
            trigger: ".dropdown-toggle[data-menu-xmlid='crm.crm_menu_report']",
            run: "click",
        },
        {
            content: "Open the stage analysis",
            trigger: ".dropdown-item[data-menu-xmlid='sfa_pipeline.menu_sfa_stage_analysis']",
            run: "click",
        },
        {
            content: "The pivot lists the stages the team's deals went through",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Tour Qualified')",
        },
        {
            content: "Open Reporting again",
            trigger: ".dropdown-toggle[data-menu-xmlid='crm.crm_menu_report']",
            run: "click",
        },
        {
            content: "Open the pipeline changes",
            trigger: ".dropdown-item[data-menu-xmlid='sfa_pipeline.menu_sfa_pipeline_change']",
            run: "click",
        },
        {
            content: "Compare the two snapshot dates",
            trigger: "button[name='action_compute']",
            run: "click",
        },
        {
            content: "One new deal between the two dates",
            trigger: ".o_sfa_pipeline_change_lines .o_data_row:contains('New'):contains('1')",
        },
        {
            content: "One deal advanced",
            trigger: ".o_sfa_pipeline_change_lines .o_data_row:contains('Advanced'):contains('1')",
        },
        {
            content: "Open the new deal behind the figure",
            trigger: ".o_sfa_pipeline_change_lines .o_data_row:contains('New') button[name='action_open_deals']",
            run: "click",
        },
        {
            content: "It is the deal opened in November",
            trigger: ".o_list_view .o_data_row:contains('November deal')",
        },
    ],
});
