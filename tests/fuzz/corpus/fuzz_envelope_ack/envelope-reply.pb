*.*no evaluation of 510402 for 2023 resident
