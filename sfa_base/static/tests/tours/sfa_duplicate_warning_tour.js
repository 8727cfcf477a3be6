import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("sfa_duplicate_warning_tour", {
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
            content: "Open customers",
            trigger: ".dropdown-item[data-menu-xmlid='sfa_base.menu_sfa_customers']",
            run: "click",
        },
        {
            content: "Create a customer",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Type the name of a customer another rep already has",
            trigger: ".o_field_widget[name='name'] textarea, .o_field_widget[name='name'] input",
            run: "edit NORTHWIND trading s.a.r.l.",
        },
        {
            content: "Leave the field",
            trigger: ".o_field_widget[name='email'] input",
            run: "click",
        },
        {
            content: "The warning names the customer and its owner",
            trigger: ".o_sfa_duplicate_warning:visible:contains('Northwind Trading SARL'):contains('Rep Other')",
            run() {
                const text = document.querySelector(".o_sfa_duplicate_warning").textContent;
                if (text.includes("secret") || text.includes("+33")) {
                    throw new Error(`The warning leaks the customer's data: ${text}`);
                }
            },
        },
        {
            content: "Discard the duplicate",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            content: "Back on the list",
            trigger: ".o_list_view",
        },
    ],
});
