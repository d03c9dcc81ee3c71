import { notifications } from "@mantine/notifications";
import { describeError } from "./api.ts";

/** Error notifications as in the seed's example: a title, the API's message, red, 5 s. */
export function notifyError(title: string, err: unknown, fallback?: string): void {
  notifications.show({
    title,
    message: describeError(err) || fallback || "Request failed.",
    color: "red",
    autoClose: 5000,
  });
}

export function notifySuccess(title: string, message: string): void {
  notifications.show({ title, message, color: "green", autoClose: 4000 });
}
