import { useTranslation } from "react-i18next";
import { AvatarsScreen } from "./screens/AvatarsScreen.tsx";
import { useSession } from "./useSession.ts";
import { ErrorState, Loading } from "./ui/states.tsx";

export function App() {
  const { t } = useTranslation();
  const session = useSession();
  return (
    <div className="app">
      <header className="topbar">
        <span className="logo">{t("app.name")}</span>
        <span className="tagline">{t("app.tagline")}</span>
      </header>
      <main className="content">
        {session.status === "pending" && <Loading />}
        {session.status === "error" && <ErrorState message={session.error} onRetry={session.retry} />}
        {session.status === "ready" && <AvatarsScreen />}
      </main>
    </div>
  );
}
