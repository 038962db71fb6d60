import { create } from 'zustand';
import type { CallRole } from '../../../shared/contract.js';
import { currentUser } from '../api/client.js';

interface UserState {
  name: string;
  role: CallRole;
  /** Read the logged-in user again (after a login). */
  refresh: () => void;
}

/** The logged-in user and role: screens hide or disable what the role cannot do. */
export const useUser = create<UserState>()((set) => ({
  ...currentUser(),
  refresh: () => set(currentUser()),
}));
