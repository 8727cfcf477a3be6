import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("sfa_realignment_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open CRM",
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            run: "click",
        },
        {
            content: "Open the Sales Force menu",
            trigger: ".dropdown-toggle[data-menu-xmlid='sfa_base.menu_sfa_root']",
            run: "click",
        },
        {
            content: "Start a realignment",
            trigger: ".dropdown-item[data-menu-xmlid='sfa_base.menu_sfa_realignment']",
            run: "click",
        },
        {
            content: "Preview the moves",
            trigger: ".modal button[name='action_preview']",
            run: "click",
        },
        {
            content: "The preview lists the move from Lille to Roubaix",
            trigger: ".modal .o_sfa_realignment_lines .o_data_row:contains('Lille'):contains('Roubaix')",
        },
        {
            content: "Apply",
            trigger: ".modal button[name='action_apply']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer button.btn-primary:contains('Ok')",
            run: "click",
        },
        {
            content: "The realignment is done",
            trigger: ".modal .o_sfa_realignment_done:visible",
        },
        {
            content: "Close the wizard",
            trigger: ".modal-footer button:contains('Close')",
            run: "click",
        },
        {
            content: "Back on the pipeline",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
