import { onMounted, onWillUpdateProps } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { IntegerField, integerField } from "@web/views/fields/integer/integer_field";

/**
 * The view counter of a knowledge article: showing the article in its form
 * counts the reader (once a day, on the server).
 */
export class ArticleViewCountField extends IntegerField {
    setup() {
        super.setup();
        this.orm = useService("orm");
        onMounted(() => this.registerView(this.props.record.resId));
        onWillUpdateProps((nextProps) => {
            if (nextProps.record.resId !== this.props.record.resId) {
                this.registerView(nextProps.record.resId);
            }
        });
    }

    registerView(resId) {
        if (resId) {
            this.orm.call("sfa.knowledge.article", "action_register_view", [[resId]]);
        }
    }
}

registry.category("fields").add("sfa_article_view_count", {
    ...integerField,
    component: ArticleViewCountField,
});
