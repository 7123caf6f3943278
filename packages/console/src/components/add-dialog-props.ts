/** What the Members page's "add" dialogs (a service account, an invitation) take from the page. */
export interface AddDialogProps {
  org: string;
  opened: boolean;
  onClose: () => void;
  /** After the server accepted it (e.g. to show the list it joined). */
  onCreated?: () => void;
}
