import { createDOMRenderer, FluentProvider, RendererProvider, webLightTheme } from "@fluentui/react-components";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root element");
// The server's Content-Security-Policy allows style elements with this response's nonce only.
const nonce = document.querySelector<HTMLMetaElement>('meta[name="gatehouse-csp-nonce"]')?.content ?? "";
const renderer = createDOMRenderer(document, nonce ? { styleElementAttributes: { nonce } } : {});
createRoot(root).render(
  <StrictMode>
    <RendererProvider renderer={renderer} targetDocument={document}>
      <FluentProvider theme={webLightTheme} style={{ minHeight: "100vh" }}>
        <App />
      </FluentProvider>
    </RendererProvider>
  </StrictMode>,
);
