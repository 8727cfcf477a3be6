import { registry } from "@web/core/registry";

// An internal user outside sales (Odoo's default rights, no app) works on a
// customer of the sales force as they did before the modules were installed:
// opens it, edits it, posts a message and schedules an activity.
registry.category("web_tour.tours").add("sfa_internal_user_tour", {
    steps: () => [
        {
            content: "The customer's form opens",
            trigger: ".o_form_view .o_field_widget[name='name'] textarea, .o_form_view .o_field_widget[name='name'] input",
            run() {
                const name = this.anchor.value;
                if (name !== "Tour Internal Customer") {
                    throw new Error(`another record opened: ${name}`);
                }
            },
        },
        {
            content: "No error, and no page of the sales force's histories",
            trigger: ".o_form_view:not(:has(.o_notebook [name='sfa_territory_history'])):not(:has(.o_notebook [name='sfa_category_history']))",
            run() {
                if (document.querySelector(".o_error_dialog, .o_notification.border-danger")) {
                    throw new Error("an error was shown on the customer's form");
                }
            },
        },
        {
            content: "Edit the phone",
            trigger: ".o_field_widget[name='phone'] input",
            run: "edit +33 3 20 55 66 77",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view:not(:has(.o_form_button_save:visible))",
        },
        {
            content: "Send a message",
            trigger: ".o-mail-Chatter button:contains('Send message')",
            run: "click",
        },
        {
            content: "Write it",
            trigger: ".o-mail-Composer-input",
            run: "edit Invoice address checked with the customer",
        },
        {
            content: "Post it",
            trigger: ".o-mail-Composer button[aria-label='Send']:enabled, .o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The message is in the chatter",
            trigger: ".o-mail-Message:contains('Invoice address checked with the customer')",
        },
        {
            content: "Schedule an activity",
            trigger: ".o-mail-Chatter button:contains('Activity')",
            run: "click",
        },
        {
            content: "Its summary",
            trigger: ".modal div[name='summary'] input",
            run: "edit Send the signed delivery terms",
        },
        {
            content: "Save the activity",
            trigger: ".modal button:contains('Save')",
            run: "click",
        },
        {
            content: "The activity is planned on the customer",
            trigger: ".o-mail-Activity:contains('Send the signed delivery terms')",
        },
    ],
});
