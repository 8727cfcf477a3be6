import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sfa_knowledge_guidance_tour", {
    steps: () => [
        {
            content: "The opportunity is open",
            trigger: ".o_form_view .o_field_widget[name='name']",
        },
        {
            content: "Open its guidance",
            trigger: "button[name='action_sfa_guidance']",
            run: "click",
        },
        {
            content: "The article for the stage is listed",
            trigger: ".o_list_view .o_data_row:contains('Tour: answering price objections')",
        },
        {
            content: "The directors' article is not",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('directors')))",
        },
        {
            content: "Read the article",
            trigger: ".o_list_view .o_data_row:contains('Tour: answering price objections') td.o_data_cell:first",
            run: "click",
        },
        {
            content: "Its text is shown",
            trigger: ".o_form_view .o_field_widget[name='body']:contains('cost of the problem')",
        },
    ],
});
