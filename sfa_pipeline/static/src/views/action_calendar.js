import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";
import { calendarView } from "@web/views/calendar/calendar_view";
import { CalendarModel } from "@web/views/calendar/calendar_model";

/**
 * The schedule opens as a day agenda on a phone (a week does not fit), as
 * long as the user has not picked another scale there.
 */
export class SfaActionCalendarModel extends CalendarModel {
    getLocalStorageScale() {
        const stored = browser.localStorage.getItem(this.storageKey);
        if (this.env.isSmall && !this.meta.scales.includes(stored) && this.meta.scales.includes("day")) {
            return "day";
        }
        return super.getLocalStorageScale();
    }
}

registry.category("views").add("sfa_action_calendar", {
    ...calendarView,
    Model: SfaActionCalendarModel,
});
