import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("sfa_targets_split_tour", {
    steps: () => [
        {
            content: "Split the territory's yearly target",
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Split')",
            run: "click",
        },
        {
            content: "It opens on its salespeople (a territory without sub-territories)",
            trigger: ".modal .o_data_row:contains('Tour Rep Two')",
        },
        {
            content: "Preview the shares",
            trigger: ".modal button[name='action_preview']",
            run: "click",
        },
        {
            content: "The dialog keeps its title and shows each one's share",
            trigger: ".modal .modal-title:contains('Split a Target'):not(:contains('Odoo'))",
        },
        {
            content: "Half each",
            trigger: ".modal .o_data_row:contains('Tour Rep Two'):contains('50.0'):contains('4,000.00')",
        },
        {
            content: "Apply",
            trigger: ".modal button[name='action_apply']",
            run: "click",
        },
        {
            content: "The split's targets replace the form",
            trigger: ".o_breadcrumb .active:contains('Targets of')",
        },
        {
            content: "Open the first rep's target",
            trigger: ".o_list_view .o_data_row:contains('Tour Rep One') td.o_data_cell:first",
            run: "click",
        },
        {
            content: "Split it in turn",
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Split')",
            run: "click",
        },
        {
            content: "Over time",
            trigger: ".modal .o_field_widget[name='split_by'] input[data-value='time']",
            run: "click",
        },
        {
            content: "By quarter: four rows",
            trigger: ".modal .o_data_row:contains('-10-01')",
        },
        {
            content: "Apply",
            trigger: ".modal button[name='action_apply']",
            run: "click",
        },
        {
            content: "Back on the split's targets",
            trigger: ".o_breadcrumb .active:contains('Targets of Tour Rep One')",
        },
        {
            content: "The rep's four quarters",
            trigger: ".o_list_view .o_data_row:contains('Q4')",
        },
    ],
});

registry.category("web_tour.tours").add("sfa_my_targets_tour", {
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
            content: "Open My Targets",
            trigger: ".dropdown-item[data-menu-xmlid='sfa_targets.menu_sfa_my_targets']",
            run: "click",
        },
        {
            content: "The yearly target shows its progress",
            trigger: ".o_kanban_record:contains('Tour Rep One'):contains('Won Revenue') .o_progressbar:contains('25')",
        },
    ],
});
