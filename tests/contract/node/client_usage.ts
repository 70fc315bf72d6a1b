// A client written against the generated GymGenius types: it compiles only if the answers are
// typed as the API sends them (a field typed `any` would make the @ts-expect-error lines fail).
import type { components, operations, paths } from "./gymgenius";

type Schemas = components["schemas"];
type PlanPage = paths["/v1/queries/plans"]["get"]["responses"][200]["content"]["application/json"];
type Created = operations["createPlan"]["responses"][201]["content"]["application/json"];
type Invalid = operations["createPlan"]["responses"][422]["content"]["application/problem+json"];
type Session = operations["getWorkoutSession"]["responses"][200]["content"]["application/json"];

export const titles = (page: PlanPage): string[] => page.items.map((plan) => plan.title);
export const nextCursor = (page: PlanPage): string | null => page.next_cursor;
export const price = (plan: Schemas["PlanOut"]): number | null => plan.price_paise;
export const created = (answer: Created): [string, number, number] => [answer.id, answer.version, answer.position];
export const where = (problem: Invalid): string[] =>
  (problem.errors ?? []).map((error) => `${error.loc.join(".")}: ${error.msg}`);
export const volume = (session: Session): number =>
  session.sets.reduce((sum, set) => sum + set.reps * set.weight_kg, 0);
export const live = (session: Session): boolean => session.status === "active" || session.status === "paused";
export const revenue = (summary: Schemas["DashboardSummaryOut"]): number => summary.revenue_paise_30d;
export const behind = (statuses: Schemas["ProjectionStatusOut"][]): string[] =>
  statuses.filter((s) => s.lag_events > 0).map((s) => s.name);
export const metrics = (text: operations["getMetrics"]["responses"][200]["content"]["text/plain"]): number =>
  text.length;

// @ts-expect-error a plan's title is a string, never a number
export const wrongTitle: Schemas["PlanOut"]["title"] = 3;
// @ts-expect-error no session is ever "running"
export const wrongStatus: Schemas["WorkoutSessionOut"]["status"] = "running";
// @ts-expect-error a payment's upi_app may be null, so it is not a plain string
export const upiApp = (payment: Schemas["PaymentOut"]): string => payment.upi_app;
