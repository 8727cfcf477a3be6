import { registry } from "@web/core/registry";

// The phone's position, as the browser would give it once the rep allows it
function stubPosition() {
    Object.defineProperty(navigator, "geolocation", {
        configurable: true,
        value: {
            getCurrentPosition: (success) =>
                success({ coords: { latitude: 50.6365, longitude: 3.0677 } }),
        },
    });
}

registry.category("web_tour.tours").add("sfa_my_day_tour", {
    steps: () => [
        {
            content: "Today's visit is on a card",
            trigger: ".o_sfa_my_day .o_kanban_record:contains('Tour Visit Customer')",
        },
        {
            content: "One tap calls the customer",
            trigger: ".o_kanban_record:contains('Tour Visit Customer') a.o_sfa_call[href='tel:+33 3 20 00 00 99']",
        },
        {
            content: "One tap opens the address in the maps",
            trigger: ".o_kanban_record:contains('Tour Visit Customer') a.o_sfa_map[href*='maps']",
        },
        {
            content: "The rep lets the browser tell where they are",
            trigger: ".o_kanban_record:contains('Tour Visit Customer') .o_sfa_visit_check",
            run() {
                stubPosition();
            },
        },
        {
            content: "Check in",
            trigger: ".o_kanban_record:contains('Tour Visit Customer') .o_sfa_visit_check:contains('Check In')",
            run: "click",
        },
        {
            content: "Checked in, near the customer",
            trigger: ".o_kanban_record:contains('Tour Visit Customer') .o_sfa_checked_in:contains('km away'):not(:contains('far from'))",
        },
        {
            content: "Check out",
            trigger: ".o_kanban_record:contains('Tour Visit Customer') .o_sfa_visit_check:contains('Check Out')",
            run: "click",
        },
        {
            content: "Finish the visit",
            trigger: ".o_kanban_record:contains('Tour Visit Customer') .o_sfa_checked_in:contains('out') ~ * .o_sfa_finish, .o_kanban_record:contains('Tour Visit Customer') .o_sfa_my_day_buttons:not(:has(.o_sfa_visit_check)) .o_sfa_finish",
            run: "click",
        },
        {
            content: "It went well",
            trigger: ".modal .o_field_widget[name='result'] input[data-value='positive']",
            run: "click",
        },
        {
            content: "What happened",
            trigger: ".modal .o_field_widget[name='outcome'] textarea",
            run: "edit Samples left, trial agreed",
        },
        {
            content: "Done, and plan the next one",
            trigger: ".modal button[name='action_done_schedule_next']",
            run: "click",
        },
        {
            content: "The next action opens",
            trigger: ".modal .o_form_view .o_field_widget[name='action_type_id']",
        },
        {
            content: "Save it",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "Back on My Day, the visit is done",
            trigger: ".o_kanban_record:contains('Tour Visit Customer') .o_field_badge:contains('Done')",
        },
    ],
});

registry.category("web_tour.tours").add("sfa_visit_report_tour", {
    steps: () => [
        {
            content: "On a phone, a card per check-in with its distance to the customer",
            trigger: ".o_sfa_visit_checkins .o_kanban_record:contains('Tour Visit Customer'):contains('km from the customer')",
        },
        {
            content: "Open it",
            trigger: ".o_sfa_visit_checkins .o_kanban_record:contains('Tour Visit Customer')",
            run: "click",
        },
        {
            content: "Where and when the rep was on site",
            trigger: ".o_form_view .o_field_widget[name='checkin_distance']:contains('0.3')",
        },
    ],
});

registry.category("web_tour.tours").add("sfa_due_visit_tour", {
    steps: () => [
        {
            content: "A card per customer due, with its days overdue",
            trigger: ".o_sfa_due_visits .o_kanban_record:contains('Tour Due Customer') .o_sfa_days_overdue:contains('5')",
        },
        {
            content: "Plan a visit",
            trigger: ".o_kanban_record:contains('Tour Due Customer') .o_sfa_plan_visit",
            run: "click",
        },
        {
            content: "The visit to the customer is ready to plan",
            trigger: ".modal .o_field_widget[name='partner_id'] input:value('Tour Due Customer'), .modal .o_field_widget[name='partner_id']:contains('Tour Due Customer')",
        },
        {
            content: "Save it",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "Back on the cards",
            trigger: ".o_sfa_due_visits:not(:has(.modal))",
        },
    ],
});

registry.category("web_tour.tours").add("sfa_schedule_day_tour", {
    steps: () => [
        {
            content: "On a phone the schedule is the day's agenda",
            trigger: ".o_calendar_container .fc-timeGridDay-view",
        },
    ],
});
