import { Component, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

/**
 * Check in and out of a visit with the browser's position. The browser asks
 * the user first; a refusal is recorded as such and the visit goes on.
 */
export class VisitCheck extends Component {
    static template = "sfa_pipeline.VisitCheck";
    static props = { ...standardWidgetProps };

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.state = useState({ busy: false });
    }

    get data() {
        return this.props.record.data;
    }

    get step() {
        const data = this.data;
        if (!data.can_check_in) {
            return null;
        }
        if (!data.checkin_date) {
            return "in";
        }
        return data.checkout_date ? null : "out";
    }

    position() {
        return new Promise((resolve) => {
            if (!navigator.geolocation) {
                resolve({ location: "unavailable" });
                return;
            }
            navigator.geolocation.getCurrentPosition(
                (pos) =>
                    resolve({
                        location: "located",
                        latitude: pos.coords.latitude,
                        longitude: pos.coords.longitude,
                    }),
                (error) =>
                    resolve({
                        location: error.code === error.PERMISSION_DENIED ? "refused" : "unavailable",
                    }),
                { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
            );
        });
    }

    async onClick() {
        const step = this.step;
        if (!step || this.state.busy) {
            return;
        }
        this.state.busy = true;
        try {
            const record = this.props.record;
            if (record.isDirty) {
                await record.save();
            }
            const position = await this.position();
            const method = step === "in" ? "action_check_in" : "action_check_out";
            await this.orm.call("sfa.action", method, [[record.resId]], position);
            if (position.location !== "located") {
                this.notification.add(
                    _t("Your position was not recorded: the visit is checked without it."),
                    { type: "warning" }
                );
            }
            await record.load();
        } finally {
            this.state.busy = false;
        }
    }
}

registry.category("view_widgets").add("sfa_visit_check", {
    component: VisitCheck,
    fieldDependencies: [
        { name: "can_check_in", type: "boolean" },
        { name: "checkin_date", type: "datetime" },
        { name: "checkout_date", type: "datetime" },
    ],
});
