import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { askAlertPermission } from "../alerts";
import { ApiError, put, signOutNow } from "../api";
import type { AppConfig } from "../config";
import { Switch } from "../components/Fields";
import { type LiveView, remoteAvailability, useAgentFeed } from "../feed";
import { personName } from "../format";
import { notify } from "../notify";
import { linkHandler, navigate, useLocation } from "../router";
import { setSoundEnabled, soundEnabled } from "../sound";
import { useStore } from "../store";
import type { Me } from "../types";
import { ExceptionsPage } from "./Exceptions";
import { FreshPage } from "./Fresh";
import { LeadPage } from "./Lead";
import { ListsPage } from "./Lists";
import { MarketingPage } from "./Marketing";
import { MyLeadsPage } from "./MyLeads";
import { OffersBanner, OffersPanel } from "./Offers";
import { PreferencesPage } from "./Preferences";
import { QueuePage } from "./Queue";
import { SearchPage } from "./Search";
import { SpeedPage } from "./Speed";
import { UploadPage } from "./Upload";
import { AgentsPage } from "./settings/Agents";
import { CampaignsPage } from "./settings/Campaigns";
import { GroupsPage } from "./settings/Groups";
import { OrgPage } from "./settings/Org";
import { VendorsPage } from "./settings/Vendors";
import { WebhooksPage } from "./settings/Webhooks";
import { WorkflowPage } from "./settings/Workflow";

export interface Access {
  isAgent: boolean;
  isManager: boolean; // may see the manager console (manager, admin, supervisor)
  canEdit: boolean; // may change things there (manager, admin)
}

export function access(me: Me): Access {
  const roles = new Set(me.roles);
  return {
    isAgent: roles.has("agent"),
    isManager: roles.has("manager") || roles.has("admin") || roles.has("supervisor"),
    canEdit: roles.has("manager") || roles.has("admin"),
  };
}

interface NavItem {
  href: string;
  label: string;
}

function navItems(a: Access): { agent: NavItem[]; manager: NavItem[] } {
  return {
    agent: a.isAgent
      ? [
          { href: "/app/offers", label: "Offers" },
          { href: "/app/fresh", label: "Fresh bucket" },
          { href: "/app/leads", label: "My leads" },
          { href: "/app/queue", label: "Work Queue" },
        ]
      : [],
    manager: a.isManager
      ? [
          { href: "/app/exceptions", label: "Lead Exception" },
          { href: "/app/search", label: "Leads" },
          { href: "/app/lists", label: "Lists" },
          { href: "/app/uploads", label: "Upload leads" },
          ...(a.isAgent ? [] : [{ href: "/app/queue", label: "Work Queue" }]),
          { href: "/app/reports/marketing", label: "Marketing report" },
          { href: "/app/reports/speed", label: "Speed to lead" },
          { href: "/app/settings/campaigns", label: "Campaigns" },
          { href: "/app/settings/groups", label: "Groups" },
          { href: "/app/settings/agents", label: "Agents" },
          { href: "/app/settings/org", label: "Organization" },
          { href: "/app/settings/workflow", label: "Workflow" },
          { href: "/app/settings/vendors", label: "Vendors" },
          { href: "/app/settings/webhooks", label: "Webhooks" },
        ]
      : [],
  };
}

function NavLink({ item, current }: { item: NavItem; current: string }) {
  const active = current === item.href || current.startsWith(`${item.href}/`);
  return (
    <li>
      <a href={item.href} onClick={linkHandler} aria-current={active ? "page" : undefined} class={active ? "active" : undefined}>
        {item.label}
      </a>
    </li>
  );
}

function Availability({ me, onChange, onAvailable }: { me: Me; onChange: () => void; onAvailable: () => void }) {
  const [available, setAvailable] = useState(me.available);
  const [busy, setBusy] = useState(false);
  const remote = useStore(remoteAvailability); // turned on or off on another device (pushed)
  // While this device's own change is on its way, neither a profile reload nor another device's
  // push may flip the switch: a push that arrives meanwhile is held, and once the change is
  // written the newer of the two (by the server's time of each change) is what the switch shows.
  const pending = useRef(false);
  const held = useRef<{ available: boolean; at: string } | null>(null);
  const shownAt = useRef(""); // the server's time of the change the switch shows
  useEffect(() => {
    if (!pending.current) setAvailable(me.available);
  }, [me.available]);
  useEffect(() => {
    if (!remote) return;
    if (pending.current) {
      if (!held.current || remote.at > held.current.at) held.current = remote;
    } else if (remote.at >= shownAt.current) {
      shownAt.current = remote.at;
      setAvailable(remote.available);
    }
  }, [remote]);
  const toggle = async (next: boolean) => {
    // turning offers on is the moment to ask for system notifications (a click: browsers allow it)
    if (next) void askAlertPermission();
    setBusy(true);
    pending.current = true;
    held.current = null;
    setAvailable(next);
    try {
      const saved = await put<Me & { available_at?: string }>("/v1/me/availability", { available: next });
      const own = saved.available_at ?? "";
      const other = held.current as { available: boolean; at: string } | null;
      if (other && other.at > own) {
        // another device changed it after this one did: that change stands
        shownAt.current = other.at;
        setAvailable(other.available);
      } else {
        if (own > shownAt.current) shownAt.current = own;
        notify(next ? "Lead Availability is on: new leads will be offered to you." : "Lead Availability is off: no new offers until you turn it on.", "success");
        if (next) onAvailable();
      }
      onChange();
    } catch (err) {
      setAvailable(!next);
      if (!(err instanceof ApiError && err.status === 401)) notify(`Could not change Lead Availability: ${(err as Error).message}`, "error");
    } finally {
      pending.current = false;
      held.current = null;
      setBusy(false);
    }
  };
  return <Switch label="Lead Availability" checked={available} onChange={toggle} disabled={busy} onLabel="On" offLabel="Off" />;
}

function SoundToggle() {
  const [on, setOn] = useState(soundEnabled());
  return (
    <button
      type="button"
      class="btn btn-ghost btn-small"
      aria-pressed={on ? "true" : "false"}
      onClick={() => {
        setSoundEnabled(!on);
        setOn(!on);
      }}
      title="Play a sound when a lead is offered"
    >
      Sound: {on ? "on" : "off"}
    </button>
  );
}

function NotFound() {
  return (
    <section class="page">
      <h1>Page not found</h1>
      <p>
        <a href="/app" onClick={linkHandler}>
          Go to your start page
        </a>
      </p>
    </section>
  );
}

function NotAllowed() {
  return (
    <section class="page">
      <h1>Not available for your role</h1>
      <p>Ask an administrator if you need access to this screen.</p>
    </section>
  );
}

/** The manager console's screens (manager, admin; supervisor read-only), by path. */
const MANAGER_PAGES: Record<string, (props: { canEdit: boolean }) => JSX.Element> = {
  "/app/exceptions": ExceptionsPage,
  "/app/search": SearchPage,
  "/app/lists": ListsPage,
  "/app/uploads": UploadPage,
  "/app/reports/marketing": MarketingPage,
  "/app/reports/speed": SpeedPage,
  "/app/settings/campaigns": CampaignsPage,
  "/app/settings/groups": GroupsPage,
  "/app/settings/agents": AgentsPage,
  "/app/settings/org": OrgPage,
  "/app/settings/workflow": WorkflowPage,
  "/app/settings/vendors": VendorsPage,
  "/app/settings/webhooks": WebhooksPage,
};

/** Said while offers are not pushed: the app checks every 15 s instead (feed.ts). */
function LiveBanner({ live }: { live: LiveView }) {
  if (!live.degraded) return null;
  const every = live.pollMs === null ? "" : ` — checking every ${Math.round(live.pollMs / 1000)} s`;
  return (
    <p class="banner banner-warn live-banner" role="status" data-testid="live-banner">
      <span>
        Live updates paused{every}.
        {live.status === "off" ? "" : " Reconnecting…"}
      </span>
      {live.canReconnect && (
        <button type="button" class="btn btn-small" onClick={live.reconnect}>
          Reconnect now
        </button>
      )}
    </p>
  );
}

export function Shell({ config, me, onMeChange }: { config: AppConfig; me: Me; onMeChange: () => void }) {
  const { path } = useLocation();
  const a = access(me);
  const nav = navItems(a);
  const offers = useAgentFeed(a.isAgent);
  const home = a.isAgent ? "/app/offers" : a.isManager ? "/app/exceptions" : "/app/leads";

  useEffect(() => {
    if (path === "/" || path === "/app" || path === "/index.html") navigate(home, true);
  }, [path, home]);

  const pageName = [...nav.agent, ...nav.manager, { href: "/app/preferences", label: "Preferences" }].find((i) => path === i.href)?.label;
  useEffect(() => {
    const n = offers.offers.length;
    const base = pageName ? `${pageName} — leadwave` : "leadwave";
    document.title = n ? `(${n}) New lead — ${base}` : base;
  }, [offers.offers.length, pageName]);

  // after an in-app navigation, focus goes to the new page (screen readers announce it)
  const firstPath = useRef(path);
  useEffect(() => {
    if (path === firstPath.current) return;
    firstPath.current = "";
    const main = document.getElementById("main");
    (main?.querySelector<HTMLElement>("h1") ?? main)?.focus?.();
  }, [path]);

  let page: ComponentChildren;
  let agentPage = false;
  switch (path) {
    case "/app/offers":
      agentPage = true;
      page = a.isAgent ? null : <NotAllowed />;
      break;
    case "/app/fresh":
      agentPage = true;
      page = a.isAgent ? <FreshPage /> : <NotAllowed />;
      break;
    case "/app/leads":
      agentPage = true;
      page = <MyLeadsPage workflow={me.workflow} />;
      break;
    case "/app/queue":
      page = a.isAgent || a.isManager ? <QueuePage /> : <NotAllowed />;
      break;
    case "/app/preferences":
      page = <PreferencesPage me={me} mayViewOnly={a.isManager} onChange={onMeChange} />;
      break;
    default: {
      const Manager = MANAGER_PAGES[path];
      const lead = /^\/app\/leads\/([^/]+)$/.exec(path);
      if (Manager) page = a.isManager ? <Manager canEdit={a.canEdit} /> : <NotAllowed />;
      else if (lead) page = <LeadPage key={lead[1]} prospectId={decodeURIComponent(lead[1])} canEdit={a.canEdit} workflow={me.workflow} />;
      else page = path === "/" || path === "/app" ? null : <NotFound />;
    }
  }

  return (
    <div class="shell" data-live={a.isAgent ? offers.live.status : undefined}>
      <a class="skip-link" href="#main">
        Skip to main content
      </a>
      <header class="topbar">
        <div class="topbar-brand">
          <span class="brand-mark" aria-hidden="true">
            lw
          </span>
          <span class="brand-name">leadwave</span>
          {config.mode === "local" && <span class="env-badge">local stack</span>}
        </div>
        <div class="topbar-tools">
          {a.isAgent && <Availability me={me} onChange={onMeChange} onAvailable={() => void offers.reload()} />}
          {a.isAgent && <SoundToggle />}
          {a.isManager && me.preferences?.view_only && (
            <span class="badge badge-viewonly" title="View leads only is on (Preferences)">
              View only
            </span>
          )}
          <span class="whoami" title={me.email}>
            {personName(me)}
            <span class="roles"> · {me.roles.join(", ")}</span>
          </span>
          {a.isManager && (
            <a href="/app/preferences" onClick={linkHandler} class="btn btn-ghost btn-small" aria-current={path === "/app/preferences" ? "page" : undefined}>
              Preferences
            </a>
          )}
          <button type="button" class="btn btn-small" onClick={signOutNow}>
            Sign out
          </button>
        </div>
      </header>
      <nav class="mainnav" aria-label="Main">
        {nav.agent.length > 0 && (
          <ul aria-label="Agent">
            {nav.agent.map((i) => (
              <NavLink key={i.href} item={i} current={path} />
            ))}
          </ul>
        )}
        {nav.manager.length > 0 && (
          <ul aria-label="Manager">
            {nav.manager.map((i) => (
              <NavLink key={i.href} item={i} current={path} />
            ))}
          </ul>
        )}
      </nav>
      <main id="main" tabIndex={-1} class="content">
        {a.isAgent && <LiveBanner live={offers.live} />}
        {a.isAgent && (agentPage ? <OffersPanel state={offers} showEmpty={path === "/app/offers"} onClaimed={onMeChange} /> : <OffersBanner count={offers.offers.length} />)}
        {page}
      </main>
    </div>
  );
}
