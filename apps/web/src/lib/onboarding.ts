const key = "pinglass.onboarded";

export const onboardingSeen = () => localStorage.getItem(key) === "1";
export const markOnboardingSeen = () => localStorage.setItem(key, "1");
