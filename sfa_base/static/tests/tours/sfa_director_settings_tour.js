import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("sfa_director_settings_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open CRM",
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            run: "click",
        },
        {
            content: "Open the configuration",
            trigger: ".dropdown-toggle[data-menu-xmlid='crm.crm_menu_config']",
            run: "click",
        },
        {
            content: "The sales force settings are the director's",
            trigger: ".dropdown-item[data-menu-xmlid='sfa_base.menu_sfa_config_settings']",
            run: "click",
        },
        {
            content: "Customers become dormant after 200 days",
            trigger: ".modal .o_field_widget[name='sfa_dormant_days'] input",
            run: "edit 200",
        },
        {
            content: "Save",
            trigger: ".modal button[name='action_save']",
            run: "click",
        },
        {
            content: "Saved, said so",
            trigger: ".o_notification:contains('settings saved')",
        },
    ],
});
